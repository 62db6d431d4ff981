import ClusterState
import Glibc

/// The supervisor's record of one container: its reported status, the process running it, and
/// the timers that restart and probe it.
final class ContainerSlot {
    let spec: Container
    /// Its place in the pod spec, part of its processes' keeper ids.
    let index: Int
    let environment: ContainerEnvironment
    let workingDirectory: String
    var status: Pod.ContainerStatus
    var process: Running?
    /// When to try starting the container again; nil while it runs or once it is done.
    var nextStart: MonotonicDeadline?
    var backoff = RestartBackoff()
    var readiness: ProbeSchedule?
    var liveness: ProbeSchedule?
    /// Whether a process was ever started, so the next start counts as a restart.
    var hasStarted = false
    /// The last problem logged, so a retried failure is logged once per change.
    var lastLogged: String?
    /// The keeper id of the latest process, whose record the keeper drops at the next start.
    var lastProcessID: String?

    struct Running {
        /// The keeper's name for the process.
        var id: String
        var pid: pid_t
        var startedAt: MonotonicDeadline
        var startedAtWall: Timestamp
        /// When a SIGTERMed process gets SIGKILL.
        var killDeadline: MonotonicDeadline?
        /// Why the supervisor is killing it, for the terminated state's message.
        var killMessage: String?
        /// Whether the SIGKILL went out.
        var killed = false
    }

    init(spec: Container, index: Int, launch: PodLaunch) {
        self.spec = spec
        self.index = index
        environment = ContainerEnvironment(container: spec, launch: launch)
        workingDirectory = ContainerEnvironment.workingDirectory(container: spec, launch: launch)
        status = Pod.ContainerStatus(name: spec.name, ready: false, restartCount: 0)
        status.image = spec.image ?? ""
        status.imageID = ""
        status.started = false
        status.state = Pod.ContainerState(waiting: .init(reason: "ContainerCreating"))
    }
}

/// A probe's counters and timer for the current run of a container.
struct ProbeSchedule {
    let probe: Probe
    let timing: ProbeTiming
    var tracker: ProbeTracker
    var nextDue: MonotonicDeadline
    var inFlight = false

    init(probe: Probe, initiallyPassing: Bool, startedAt: MonotonicDeadline) {
        self.probe = probe
        timing = ProbeTiming(probe)
        tracker = ProbeTracker(probe: probe, initiallyPassing: initiallyPassing)
        nextDue = startedAt.adding(timing.initialDelay)
    }
}
