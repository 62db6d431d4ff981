import ClusterState
import Glibc

/// The supervisor's record of one container: its reported status, the process running it, and
/// the timers that restart and probe it.
final class ContainerSlot {
    let spec: Container
    let environment: ContainerEnvironment
    let workingDirectory: String
    let sink: LogSink
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

    struct Running {
        var pid: pid_t
        var startedAt: MonotonicDeadline
        var startedAtWall: Timestamp
        /// When a SIGTERMed process gets SIGKILL.
        var killDeadline: MonotonicDeadline?
        /// Why the supervisor is killing it, for the terminated state's message.
        var killMessage: String?
    }

    init(spec: Container, launch: PodLaunch, logFiles: PodLogFiles) {
        self.spec = spec
        environment = ContainerEnvironment(container: spec, launch: launch)
        workingDirectory = ContainerEnvironment.workingDirectory(container: spec, launch: launch)
        sink = LogSink(files: logFiles, container: spec.name)
        status = Pod.ContainerStatus(name: spec.name, ready: false, restartCount: 0)
        status.image = spec.image
        status.started = false
        status.state = Pod.ContainerState(waiting: .init(reason: "ContainerCreating"))
    }

    /// SIGTERMs the container's process group, with SIGKILL due after `grace`.
    func terminate(now: MonotonicDeadline, grace: Duration, message: String?) {
        guard var running = process, running.killDeadline == nil else { return }
        kill(-running.pid, SIGTERM)
        running.killDeadline = now.adding(grace)
        running.killMessage = message
        process = running
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
