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
            guard raftStatus?.role == "leader" else { continue }
            let commands = controllerPass()
            guard !commands.isEmpty else { continue }
            if case .unavailable(let reason) = await submit(commands, forwarded: true) {
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

    /// This agent's side of its pods, until the process runtime exists: it reports each pod
    /// placed here Running and Ready and confirms each deletion at once. Submissions go
    /// through the leader and are awaited, one at a time.
    func runPodReporter() async {
        for await _ in reporterBell.rings {
            let commands = PodReport.commands(state: store.cluster.state, node: settings.name.name, now: wallClock)
            guard !commands.isEmpty else { continue }
            if case .unavailable(let reason) = await submit(commands, forwarded: false) {
                logger.debug("pod status report not committed", metadata: ["reason": "\(reason)"])
            }
        }
    }
}

/// The status an agent reports for the pods placed on it while pods are placeholders
/// (no process runtime yet): a placed pod is Running and Ready, a deleted one is gone.
enum PodReport {
    static func commands(state: ClusterState, node: String, now: Timestamp) -> [ClusterCommand] {
        state.pods.filter { $0.value.spec.nodeName == node }.sorted { $0.key < $1.key }.compactMap { key, pod in
            if pod.isTerminating { return .finalize(.pod, key, uid: pod.metadata.uid ?? "") }
            guard pod.phase == Pod.Phase.pending else { return nil }
            var running = pod
            running.metadata.resourceVersion = nil
            running.status?.phase = Pod.Phase.running
            running.status?.startTime = now
            running.status?.conditions = (pod.status?.conditions ?? []) + [
                Pod.Condition(type: "Initialized", status: "True", lastTransitionTime: now),
                Pod.Condition(type: "ContainersReady", status: "True", lastTransitionTime: now),
                Pod.Condition(type: "Ready", status: "True", lastTransitionTime: now),
            ]
            running.status?.containerStatuses = pod.spec.containers.map { container in
                var status = Pod.ContainerStatus(name: container.name, ready: true, restartCount: 0)
                status.image = container.image
                status.started = true
                status.state = .init(running: .init(startedAt: now))
                return status
            }
            return .updateStatus(.pod(running))
        }
    }
}
