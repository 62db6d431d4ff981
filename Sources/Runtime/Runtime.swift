/// The process runtime: how a pod's containers run as local processes on an agent.
///
/// Each pod gets one **supervisor** (`ordinal supervise`), a small single-threaded process that
/// the agent spawns as the leader of a new session. The supervisor spawns every container (and
/// every exec probe) in its own process group inside that session, so "the processes holding a
/// pod identity" is exactly one session, and killing a container is one `kill(-pgid, …)` that
/// also reaches the grandchildren it left behind.
///
/// The supervisor is what makes design §5's at-most-one guarantee hold on the process side:
/// - **Parent death.** Its stdin is the agent's control channel. End of file means the agent is
///   gone (even after `kill -9`), and the supervisor SIGKILLs every container group at once.
/// - **Lease.** It holds the lease deadline on `CLOCK_MONOTONIC`, renewed by the agent, and
///   SIGKILLs everything when the deadline passes, by its own clock, even while the agent is
///   frozen. The loop never sleeps longer than ``Runtime/leaseCheckInterval``.
/// - **Reports.** Every change of the pod's container states goes to the agent as one JSON line
///   (``PodRuntimeReport``) on stdout; the agent side is ``SupervisorProcess``.
///
/// Containers follow Kubernetes where a local process allows it: command and args resolution
/// with `$(VAR)` expansion (``ContainerCommand``, ``VariableExpansion``), restart policies with
/// capped exponential back-off (``RestartBackoff``), and exec, tcpSocket and httpGet probes with
/// Kubernetes' thresholds (``ProbeTracker``). Deviations are documented where they are made.
/// Images named `ordinal/<tool>` run the built-in helpers of the binary (``Helper``).
package enum Runtime {
    /// The longest the supervisor's loop waits in `poll`, and so the latest it notices an
    /// expired lease.
    package static let leaseCheckInterval: Duration = .milliseconds(50)
}
