import API
import Basics
import ClusterState
import Controller
import Logging
import Membership

extension NodeDriver {
    /// The leader's controller: on every applied change (and every `controllerInterval`)
    /// one pass of node registration and StatefulSet reconciliation, submitted as one entry
    /// and awaited before the next pass, so each pass sees the effect of the last.
    func runController() async {
        for await _ in controllerBell.rings {
            guard mayRunController else { continue }
            let commands = controllerPass()
            guard !commands.isEmpty else { continue }
            if case .unavailable(let reason) = await submit(commands) {
                logger.debug("controller pass not committed", metadata: ["reason": "\(reason)"])
            }
        }
    }

    private func controllerPass() -> [ClusterCommand] {
        let state = store.cluster.state
        let agents = members.filter { $0.status != .left }.map { member in
            NodeRegistrar.Agent(
                name: member.id.name, address: member.address.host,
                alive: member.status == .alive || member.status == .suspect,
                volumeRoot: member.metadata[AgentSettings.volumeRootKey],
                maxPods: member.metadata[AgentSettings.maxPodsKey].flatMap(Int.init) ?? 110
            )
        }
        let now = wallClock
        let alive = Liveness(aliveNodes: Set(agents.filter(\.alive).map(\.name)), lostNodes: lostNodes)
        return NodeRegistrar.commands(state: state, agents: agents, now: now)
            + Reconciler.reconcile(state: state, liveness: alive, now: now)
    }
}
