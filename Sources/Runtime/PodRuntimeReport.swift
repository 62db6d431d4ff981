package import ClusterState

/// What a supervisor reports: the whole pod's container states, sent as one JSON line on every
/// change. Each report is a complete snapshot, so a reader that misses one loses nothing.
package struct PodRuntimeReport: Codable, Sendable, Hashable {
    /// Kubernetes' shape: `state` is waiting (reason, message), running (startedAt) or terminated
    /// (exitCode, reason, startedAt, finishedAt); `lastState` keeps the previous termination.
    package var containers: [Pod.ContainerStatus]
    /// Set on the last report only, when the supervisor is about to exit.
    package var exit: SupervisorExit?
    /// Failed readiness and liveness probes since the supervisor started (absent: none).
    package var probeFailures: UInt64?

    package init(containers: [Pod.ContainerStatus], exit: SupervisorExit? = nil, probeFailures: UInt64? = nil) {
        self.containers = containers
        self.exit = exit
        self.probeFailures = probeFailures
    }
}

/// Why a supervisor exited. Every case except a crash means no process of the pod is left.
package enum SupervisorExit: Codable, Sendable, Hashable {
    /// The agent asked for a graceful stop, and it finished.
    case stopped
    /// The lease passed before the agent renewed it; every container was SIGKILLed.
    case leaseExpired
    /// The control channel reached end of file; every container was SIGKILLed.
    case agentGone
    /// The supervisor could not run the pod at all (for example an unreadable launch).
    case failed(String)
}

/// One line the agent writes to a supervisor's stdin after the launch: `{"lease":<ns>}` or
/// `{"stop":{}}`.
package struct ControlMessage: Codable, Sendable, Hashable {
    /// A new lease deadline in `CLOCK_MONOTONIC` nanoseconds.
    package var lease: UInt64?
    /// Present to ask for a graceful stop.
    package var stop: Stop?

    package init(lease: UInt64? = nil, stop: Stop? = nil) {
        self.lease = lease
        self.stop = stop
    }

    package struct Stop: Codable, Sendable, Hashable {
        package init() {}
    }
}
