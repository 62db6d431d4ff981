import Basics
import CRI
import ClusterState
import Glibc
import Subprocess
import Synchronization

/// Runs one container pod through a CRI runtime while its keeper holds the lease: the
/// sandbox, its containers with restarts and back-off, their statuses as the runtime reports
/// them, and a graceful stop. It does for a container pod what ``Supervisor`` does for a pod
/// of host processes, and publishes the same ``PodRuntimeReport``s.
///
/// The keeper starts no process here; it holds the lease and the sandbox's cgroup, which it
/// kills when the lease passes, whatever this task or the agent is doing (docs/runtime.md).
/// One task per pod: it looks at the agent's requests and the keeper every ``tick`` and asks
/// the runtime for its containers' states every ``refreshInterval``, as a kubelet relists.
final class ContainerSupervisor {
    let launch: PodLaunch
    let plan: SandboxPlan
    let client: CRIClient
    var slots: [Slot]
    var sandboxID: String?
    var podIP: String?
    /// `/etc/hosts` as written for the sandbox and address it names (written once per sandbox).
    var hostsFile: (path: String, for: String)?
    /// Set once a graceful stop was asked; from then on nothing is started.
    var stopping = false
    /// Failed readiness and liveness probes since the supervisor started, for the agent's count.
    var probeFailures: UInt64 = 0
    /// When the sandbox could not be started, the next try.
    var nextSandboxTry: MonotonicDeadline?
    var sandboxBackoff = RestartBackoff()
    /// The keeper link's own thread: renewals never wait behind this task's CRI calls.
    private let keeper: KeeperPump
    private let publish: (PodRuntimeReport) -> Void
    private var lastReport: PodRuntimeReport?
    private var lastRefresh: MonotonicDeadline?

    static let tick: Duration = .milliseconds(100)
    static let refreshInterval: Duration = .seconds(1)

    /// One container of the pod and the runtime's record of its latest run.
    final class Slot {
        let spec: Container
        var status: Pod.ContainerStatus
        /// The runtime's id of the latest run, running or exited.
        var containerID: String?
        var running = false
        var attempt: UInt32 = 0
        var startedAt: MonotonicDeadline?
        /// When to start its next run: due at once for a new pod, nil while it runs or once it
        /// has ended for good.
        var nextStart: MonotonicDeadline? = MonotonicDeadline(nanoseconds: 0)
        var backoff = RestartBackoff()
        /// The image pulled for it, by the runtime's reference.
        var imageRef: String?
        var lastLogged: String?
        var readiness: ProbeSchedule?
        var liveness: ProbeSchedule?

        init(spec: Container) {
            self.spec = spec
            status = Pod.ContainerStatus(name: spec.name, ready: false, restartCount: 0)
            status.image = spec.image ?? ""
            status.imageID = ""
            status.started = false
            status.state = Pod.ContainerState(waiting: .init(reason: "ContainerCreating"))
        }
    }

    init(launch: PodLaunch, settings: SandboxSettings, keeper link: KeeperLink, client: CRIClient, control: SupervisorControl,
         publish: @escaping (PodRuntimeReport) -> Void) throws {
        self.launch = launch
        plan = SandboxPlan(launch: launch, settings: settings)
        keeper = try KeeperPump()
        self.client = client
        self.publish = publish
        slots = launch.containers.map(Slot.init)
        let prefix = "ordinal pod \(launch.namespace)/\(launch.name) epoch \(launch.fencingEpoch): "
        keeper.start(link: link, control: control) { message in _ = Descriptors.writeAll(2, Array((prefix + message + "\n").utf8)) }
    }

    /// Runs until the keeper exits (the pod stopped or its lease passed), or until the agent
    /// lets go of its handle, which leaves the pod to its keeper and the runtime.
    /// - Parameter adopting: whether an earlier agent started the pod, whose sandbox and
    ///   containers are then taken over rather than created.
    func run(adopting: Bool) async {
        if adopting { await adopt() }
        while true {
            let now = MonotonicDeadline.now()
            let link = keeper.state.withLock { $0 }
            if link.closed { return await finish(verdict: link.verdict) }
            if link.detached { return }
            if link.verdict != nil { stopping = true }
            if link.stopRequested { await beginStop() }
            if !stopping {
                if lastRefresh.map({ now.duration(since: $0) >= Self.refreshInterval }) ?? true {
                    lastRefresh = now
                    await refresh(now: now)
                }
                await startDue(now: now)
                runProbes(now: now)
            }
            publishIfChanged()
            try? await Task.sleep(for: Self.tick)
        }
    }

    /// Stops every container (the runtime sends the stop signal, then SIGKILL after the grace
    /// period), then the sandbox, removes them, and tells the keeper, which then exits.
    private func beginStop() async {
        guard !stopping else { return }
        stopping = true
        await stopContainers()
        publishIfChanged()
        await removeSandbox()
        keeper.requestKeeperStop()
    }

    /// The keeper has exited, and killed what was left in the sandbox's cgroup. The sandbox is
    /// removed from the runtime (after a lease expiry it may still be listed) and the last
    /// report says why the pod ended.
    private func finish(verdict: String?) async {
        let exit = SupervisorExit(keeperVerdict: verdict)
        await removeSandbox()
        for slot in slots where slot.running {
            slot.running = false
            slot.status.ready = false
            slot.status.state = Pod.ContainerState(terminated: .init(reason: "Error", message: "the pod keeper ended it", exitCode: 137))
        }
        stopping = true
        publishIfChanged(exit: exit)
        if exit != .stopped { log("pod ended: \(exit)") }
    }

    func publishIfChanged(exit: SupervisorExit? = nil) {
        let report = PodRuntimeReport(containers: slots.map(\.status), exit: exit, probeFailures: probeFailures == 0 ? nil : probeFailures, podIP: podIP)
        guard report != lastReport else { return }
        lastReport = report
        publish(report)
    }

    func log(_ message: String) {
        let line = "ordinal pod \(launch.namespace)/\(launch.name) epoch \(launch.fencingEpoch): \(message)\n"
        _ = Descriptors.writeAll(2, Array(line.utf8))
    }

    static func wallClock() -> Timestamp {
        Timestamp(seconds: Int64(time(nil)))
    }
}
