package import ClusterState

/// What a supervisor reports: the whole pod's container states, on every change. Each report is
/// a complete snapshot, so a reader that misses one loses nothing.
package struct PodRuntimeReport: Codable, Sendable, Hashable {
    /// Kubernetes' shape: `state` is waiting (reason, message), running (startedAt) or terminated
    /// (exitCode, reason, startedAt, finishedAt); `lastState` keeps the previous termination.
    package var containers: [Pod.ContainerStatus]
    /// Set on the last report only, once the pod's keeper has exited.
    package var exit: SupervisorExit?
    /// Failed readiness and liveness probes since the supervisor started (absent: none).
    package var probeFailures: UInt64?
    /// The sandbox's address, once a container runtime has given it one (absent on the process
    /// runtime, whose pods bind the address the scheduler chose).
    package var podIP: String?

    package init(containers: [Pod.ContainerStatus], exit: SupervisorExit? = nil, probeFailures: UInt64? = nil, podIP: String? = nil) {
        self.containers = containers
        self.exit = exit
        self.probeFailures = probeFailures
        self.podIP = podIP
    }
}

/// Why a pod's keeper exited; in every case no process of the pod's session is left.
package enum SupervisorExit: Codable, Sendable, Hashable {
    /// The agent asked for a graceful stop, and it finished.
    case stopped
    /// The lease passed before the agent renewed it; every process was SIGKILLed.
    case leaseExpired
    /// The keeper ended without saying why (it was killed, or broke its protocol).
    case failed(String)

    /// Why a keeper that has closed its link ended, from its last word (`expired`, `stopped`).
    init(keeperVerdict verdict: String?) {
        self = switch verdict {
        case "expired": .leaseExpired
        case "stopped": .stopped
        default: .failed("the pod keeper exited without a stop or an expired lease")
        }
    }
}

extension Pod.ContainerState {
    /// What a container waiting for its restart after a crash shows, as the kubelet words it.
    static func crashLoopBackOff(delay: Duration, container: String, pod: String) -> Pod.ContainerState {
        Pod.ContainerState(waiting: .init(
            reason: "CrashLoopBackOff", message: "back-off \(delay.components.seconds)s restarting failed container=\(container) pod=\(pod)"))
    }
}
