import AgentCore
import API
import Basics
import ClusterState
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
        ControllerPass.commands(state: store.cluster.state, members: members, lost: lostNodes, now: wallClock)
    }
}
