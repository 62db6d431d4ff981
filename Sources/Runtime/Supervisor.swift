import Basics
import ClusterState
import Glibc
import Subprocess
import Synchronization

/// Runs one pod's containers through its keeper (``PodSupervisor`` starts both): starts them,
/// restarts them with back-off, probes them, and publishes the pod's state on every change.
/// docs/runtime.md says who guarantees what.
///
/// One thread of the agent, one `poll` loop: every event (a control request, a keeper frame, a
/// probe socket, a timer) is handled between two polls. The lease is not checked here: the
/// keeper enforces it by its own clock, whatever this thread or the agent is doing.
final class Supervisor {
    let launch: PodLaunch
    let keeper: KeeperLink
    var slots: [ContainerSlot] = []
    var probes: [ProbeCheck] = []
    /// Set once a graceful stop was asked of the keeper.
    var stopping = false
    /// Failed probes so far, reported so the agent can count them.
    var probeFailures: UInt64 = 0
    /// Numbers exec probes' process ids.
    var nextProbe = 0
    private let control: SupervisorControl
    private let publish: (PodRuntimeReport) -> Void
    private var lastReport: PodRuntimeReport?
    /// The keeper's last word before it closed: `expired` or `stopped`.
    private var keeperVerdict: String?

    init(launch: PodLaunch, keeper: KeeperLink, control: SupervisorControl, publish: @escaping (PodRuntimeReport) -> Void) {
        self.launch = launch
        self.keeper = keeper
        self.control = control
        self.publish = publish
    }

    /// Runs until the keeper exits (the pod stopped or its lease passed), or until the agent
    /// lets go of its handle, which leaves the pod to its keeper.
    /// - Parameter adopted: what the keeper held when an agent (re)connected to it; empty for a new pod.
    func run(adopting adopted: [KeptProcess]) {
        slots = launch.containers.enumerated().map { ContainerSlot(spec: $1, index: $0, launch: launch) }
        let now = MonotonicDeadline.now()
        adopt(adopted, now: now)
        for slot in slots where slot.process == nil && !slot.hasStarted { start(slot, now: now) }
        while true {
            let now = MonotonicDeadline.now()
            handle(keeper.receive())
            if keeper.closed { return finish() }
            switch control.take() {
            case .detached: return
            case .requests(let lease, let stop):
                if let lease { send(["lease", String(lease.nanoseconds)]) }
                if stop { beginStop() }
            }
            runTimers(now: now)
            publishIfChanged()
            pollOnce(until: nextWake(now: now))
        }
    }

    private func pollOnce(until wake: MonotonicDeadline?) {
        var descriptors = [pollfd(fd: control.wakeDescriptor, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: keeper.descriptor, events: Int16(POLLIN), revents: 0)]
        let probeRequests = probes.map(\.pollRequest)
        descriptors += probeRequests.map { pollfd(fd: $0?.descriptor ?? -1, events: $0?.events ?? 0, revents: 0) }
        let timeout = wake.map { Int32(clamping: $0.duration(since: .now()).nanoseconds / 1_000_000 + 1) } ?? -1
        _ = poll(&descriptors, nfds_t(descriptors.count), timeout)
        let checks = probes
        for (index, check) in checks.enumerated() where descriptors[2 + index].revents != 0 {
            check.socketReady()
        }
    }

    /// The next moment the loop must look at the clock, or nil to wait for a descriptor.
    private func nextWake(now: MonotonicDeadline) -> MonotonicDeadline? {
        if keeper.hasPending || probes.contains(where: { $0.success != nil }) { return now }
        var wake: MonotonicDeadline?
        func consider(_ time: MonotonicDeadline) { wake = min(wake ?? time, time) }
        for slot in slots {
            if let next = slot.nextStart { consider(next) }
            if let kill = slot.process?.killDeadline { consider(kill) }
            for schedule in [slot.readiness, slot.liveness].compactMap({ $0 }) where !schedule.inFlight {
                consider(schedule.nextDue)
            }
        }
        for check in probes { consider(check.deadline) }
        return wake
    }

    /// Frames the keeper sent on its own: exits, its last word, and complaints.
    private func handle(_ frames: [KeeperFrame]) {
        for frame in frames {
            switch frame.kind {
            case "exited":
                guard let process = KeptProcess(exited: frame) else { continue }
                exited(process, now: .now())
            case "expired", "stopped":
                // From here on an exit is final: nothing is restarted.
                keeperVerdict = frame.kind
                stopping = true
                for slot in slots { slot.nextStart = nil }
            case "error":
                log("the pod keeper refused a request: \(frame[1])")
            default:
                continue
            }
        }
    }

    /// Sends a frame to the keeper; a keeper that cannot take it is gone, which the loop notices.
    func send(_ fields: [String]) {
        do {
            try keeper.send(KeeperFrame(fields))
        } catch {
            log("cannot send \(fields.first ?? "") to the pod keeper: \(error)")
        }
    }

    /// Sends the pod's state when it differs from the last report sent.
    func publishIfChanged(exit: SupervisorExit? = nil) {
        let report = PodRuntimeReport(containers: slots.map(\.status), exit: exit, probeFailures: probeFailures == 0 ? nil : probeFailures)
        guard report != lastReport else { return }
        lastReport = report
        publish(report)
    }

    /// The keeper has exited: every process of the pod is gone. The last report says why.
    private func finish() {
        let exit = SupervisorExit(keeperVerdict: keeperVerdict)
        for slot in slots where slot.process != nil {
            slot.process = nil
            slot.status.ready = false
            slot.status.state = Pod.ContainerState(terminated: .init(reason: "Error", message: "the pod keeper ended it", exitCode: 137))
        }
        stopping = true
        publishIfChanged(exit: exit)
        if exit != .stopped { log("pod ended: \(exit)") }
    }

    /// Diagnostics go to the agent's stderr.
    func log(_ message: String) {
        let line = "ordinal pod \(launch.namespace)/\(launch.name) epoch \(launch.fencingEpoch): \(message)\n"
        _ = Descriptors.writeAll(2, Array(line.utf8))
    }
}

/// What the agent asks of a running ``Supervisor``, handed over between threads: the latest
/// lease and whether to stop, with a pipe to wake the supervisor's `poll`. Dropping the agent's
/// handle detaches the supervisor (after it has passed on what was asked before) and leaves the
/// pod to its keeper.
final class SupervisorControl: Sendable {
    enum Take: Equatable { case requests(lease: MonotonicDeadline?, stop: Bool), detached }

    private struct State {
        var lease: MonotonicDeadline?
        var stop = Delivery.notAsked
        var detached = false
    }

    private enum Delivery { case notAsked, asked, delivered }

    private let state = Mutex(State())
    let wakeDescriptor: Int32
    private let wakeWrite: Int32

    init() throws(Subprocess.Failure) {
        let ends = try Descriptors.pipe()
        Descriptors.setNonBlocking(ends.read)
        Descriptors.setNonBlocking(ends.write)
        wakeDescriptor = ends.read
        wakeWrite = ends.write
    }

    deinit {
        close(wakeDescriptor)
        close(wakeWrite)
    }

    func renew(until deadline: MonotonicDeadline) {
        state.withLock { $0.lease = max($0.lease ?? deadline, deadline) }
        wake()
    }

    func stop() {
        state.withLock { if $0.stop == .notAsked { $0.stop = .asked } }
        wake()
    }

    func detach() {
        state.withLock { $0.detached = true }
        wake()
    }

    /// What was asked since the last take (each request once), after draining the wake pipe;
    /// `.detached` once nothing is left to pass on.
    func take() -> Take {
        var bytes = [UInt8](repeating: 0, count: 64)
        while bytes.withUnsafeMutableBytes({ read(wakeDescriptor, $0.baseAddress, $0.count) }) > 0 {}
        return state.withLock { state in
            let lease = state.lease
            let stop = state.stop == .asked
            state.lease = nil
            if stop { state.stop = .delivered }
            if lease == nil && !stop && state.detached { return .detached }
            return .requests(lease: lease, stop: stop)
        }
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }
}
