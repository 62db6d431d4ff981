import Basics
import ClusterState
import Foundation
import Glibc

/// The signal handler's only channel to the loop (a self-pipe); written before handlers exist.
nonisolated(unsafe) private var signalPipeWrite: Int32 = -1

/// `ordinal supervise`: runs one pod's containers until the agent stops it, the agent goes away,
/// or the lease runs out. See ``Runtime`` for the guarantees.
///
/// One thread, one `poll` loop, no Dispatch or Swift concurrency: every event (a control line,
/// a child's exit, log output, a probe socket, a timer) is handled between two polls, so the
/// lease is checked at least every ``Runtime/leaseCheckInterval`` however busy the pod is.
package final class Supervisor {
    let launch: PodLaunch
    var lease: MonotonicDeadline
    var slots: [ContainerSlot] = []
    var probes: [ProbeCheck] = []
    /// Log pipes still open, which may outlive the process that wrote into them.
    var logStreams: [(descriptor: Int32, slot: ContainerSlot)] = []
    /// Set once a graceful stop began: when the remaining processes get SIGKILL.
    var stopDeadline: MonotonicDeadline?
    var pendingExit: SupervisorExit?
    private var control = LineReader()
    private var outbox = Outbox()
    private var lastReport: PodRuntimeReport?
    /// Failed probes so far, reported so the agent can count them.
    var probeFailures: UInt64 = 0
    private var warnedAboutControl = false
    private let signalPipeRead: Int32

    /// Control lines that arrived with the launch line.
    private let earlyLines: [[UInt8]]

    private init(launch: PodLaunch, control: LineReader, earlyLines: [[UInt8]], signalPipeRead: Int32) {
        self.launch = launch
        lease = launch.leaseDeadline
        self.control = control
        self.earlyLines = earlyLines
        self.signalPipeRead = signalPipeRead
    }

    /// The entry point of `ordinal supervise`: reads the ``PodLaunch`` line from stdin, runs the
    /// pod, and returns the process exit status (0 unless the launch was unusable).
    package static func main() -> Int32 {
        closeInheritedDescriptors()
        var reader = LineReader()
        var lines: [[UInt8]] = []
        while lines.isEmpty {
            switch reader.read(0) {
            case .endOfFile: return 1
            case .lines(let read): lines = read
            }
        }
        guard let launch = try? JSONDecoder().decode(PodLaunch.self, from: Data(lines[0])) else {
            writeReport(PodRuntimeReport(containers: [], exit: .failed("unreadable launch line")))
            return 2
        }
        guard let signals = try? Descriptors.pipe() else {
            writeReport(PodRuntimeReport(containers: [], exit: .failed("cannot create a pipe")))
            return 2
        }
        Descriptors.setNonBlocking(signals.read)
        Descriptors.setNonBlocking(signals.write)
        signalPipeWrite = signals.write
        let handler: @convention(c) (Int32) -> Void = { signal in
            var byte = UInt8(truncatingIfNeeded: signal)
            _ = write(signalPipeWrite, &byte, 1)
        }
        for signal in [SIGCHLD, SIGTERM, SIGINT] { Glibc.signal(signal, handler) }
        Glibc.signal(SIGPIPE, SIG_IGN)
        Glibc.signal(SIGHUP, SIG_IGN)
        Descriptors.setNonBlocking(1)
        let supervisor = Supervisor(launch: launch, control: reader, earlyLines: Array(lines.dropFirst()), signalPipeRead: signals.read)
        supervisor.run()
        return 0
    }

    private func run() {
        if MonotonicDeadline.now() >= lease { return finish(.leaseExpired) }
        let logFiles = PodLogFiles(directory: launch.logDirectory)
        try? PrivateFile.makeDirectory(launch.logDirectory, mode: PodLogFiles.directoryMode)
        slots = launch.containers.map { ContainerSlot(spec: $0, launch: launch, logFiles: logFiles) }
        processControlLines(earlyLines)
        let now = MonotonicDeadline.now()
        if stopDeadline == nil {
            for slot in slots { start(slot, now: now) }
        }
        while true {
            let now = MonotonicDeadline.now()
            if now >= lease { return finish(.leaseExpired) }
            if let pendingExit { return finish(pendingExit) }
            if let stopDeadline {
                if now >= stopDeadline || slots.allSatisfy({ $0.process == nil }) { return finish(.stopped) }
            }
            runTimers(now: now)
            publishIfChanged()
            pollOnce(until: nextWake(now: now))
            reapChildren()
        }
    }

    private func pollOnce(until wake: MonotonicDeadline) {
        var descriptors = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: signalPipeRead, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: 1, events: outbox.isEmpty || outbox.failed ? 0 : Int16(POLLOUT), revents: 0)]
        descriptors += logStreams.map { pollfd(fd: $0.descriptor, events: Int16(POLLIN), revents: 0) }
        let probeRequests = probes.map(\.pollRequest)
        descriptors += probeRequests.map { pollfd(fd: $0?.descriptor ?? -1, events: $0?.events ?? 0, revents: 0) }
        let timeout = wake.duration(since: .now()).nanoseconds / 1_000_000 + 1
        _ = poll(&descriptors, nfds_t(descriptors.count), Int32(clamping: timeout))

        if descriptors[0].revents != 0 { readControl() }
        if descriptors[1].revents != 0 { drainSignals() }
        if descriptors[2].revents != 0 { outbox.flush(1) }
        let streams = logStreams
        for (index, stream) in streams.enumerated() where descriptors[3 + index].revents != 0 {
            drainLog(stream.descriptor, into: stream.slot)
        }
        let checks = probes
        for (index, check) in checks.enumerated() where descriptors[3 + streams.count + index].revents != 0 {
            check.socketReady()
        }
    }

    /// The next moment the loop must look at the clock: a timer, or the lease check interval.
    private func nextWake(now: MonotonicDeadline) -> MonotonicDeadline {
        if probes.contains(where: { $0.success != nil }) { return now }
        var wake = min(lease, now.adding(Runtime.leaseCheckInterval))
        if let stopDeadline { wake = min(wake, stopDeadline) }
        for slot in slots {
            if let next = slot.nextStart { wake = min(wake, next) }
            if let kill = slot.process?.killDeadline { wake = min(wake, kill) }
            for schedule in [slot.readiness, slot.liveness].compactMap({ $0 }) where !schedule.inFlight {
                wake = min(wake, schedule.nextDue)
            }
        }
        for check in probes { wake = min(wake, check.deadline) }
        return wake
    }

    private func readControl() {
        switch control.read(0) {
        case .endOfFile: pendingExit = pendingExit ?? .agentGone
        case .lines(let lines): processControlLines(lines)
        }
    }

    private func processControlLines(_ lines: [[UInt8]]) {
        for line in lines where !line.isEmpty {
            guard let message = try? JSONDecoder().decode(ControlMessage.self, from: Data(line)) else {
                if !warnedAboutControl {
                    warnedAboutControl = true
                    log("ignoring an unreadable control line (\(line.count) bytes); further ones are ignored silently")
                }
                continue
            }
            if let lease = message.lease { self.lease = MonotonicDeadline(nanoseconds: lease) }
            if message.stop != nil { beginStop() }
        }
    }

    private func drainSignals() {
        var bytes = [UInt8](repeating: 0, count: 64)
        while true {
            let count = bytes.withUnsafeMutableBytes { read(signalPipeRead, $0.baseAddress, $0.count) }
            guard count > 0 else { return }
            if bytes[..<count].contains(where: { $0 == UInt8(SIGTERM) || $0 == UInt8(SIGINT) }) { beginStop() }
        }
    }

    private func drainLog(_ descriptor: Int32, into slot: ContainerSlot) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count > 0 {
            buffer.withUnsafeBytes { slot.sink.append(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
        } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
            close(descriptor)
            logStreams.removeAll { $0.descriptor == descriptor }
        }
    }

    /// Sends the pod's state when it differs from the last report sent.
    func publishIfChanged(exit: SupervisorExit? = nil) {
        let report = PodRuntimeReport(containers: slots.map(\.status), exit: exit, probeFailures: probeFailures == 0 ? nil : probeFailures)
        guard report != lastReport, let data = try? JSONEncoder().encode(report) else { return }
        lastReport = report
        outbox.enqueue(Array(data) + [UInt8(ascii: "\n")])
        outbox.flush(1)
    }

    /// SIGKILLs whatever is left, reports `exit` and returns once the report is out (or the
    /// agent cannot take it within a second).
    private func finish(_ exit: SupervisorExit) {
        // From here on an exit is final: nothing is restarted, and the last report says terminated.
        stopDeadline = stopDeadline ?? .now()
        killEverything()
        publishIfChanged(exit: exit)
        let deadline = MonotonicDeadline.now().adding(.seconds(1))
        while !outbox.isEmpty, !outbox.failed, MonotonicDeadline.now() < deadline {
            var descriptor = pollfd(fd: 1, events: Int16(POLLOUT), revents: 0)
            _ = poll(&descriptor, 1, 50)
            outbox.flush(1)
        }
        if exit != .stopped { log("exiting: \(exit)") }
    }

    /// Diagnostics go to stderr, which the agent's log collects.
    func log(_ message: String) {
        let line = "ordinal supervise \(launch.namespace)/\(launch.name) epoch \(launch.fencingEpoch): \(message)\n"
        _ = Descriptors.writeAll(2, Array(line.utf8))
    }

    private static func writeReport(_ report: PodRuntimeReport) {
        guard let data = try? JSONEncoder().encode(report) else { return }
        _ = Descriptors.writeAll(1, Array(data) + [UInt8(ascii: "\n")])
    }

    /// The agent marks its descriptors close-on-exec, but whatever it leaked anyway (say, another
    /// pod's control channel, whose end of file would then never come) must not be held open here.
    /// Only descriptors without close-on-exec can have been inherited: the runtime's own (the
    /// concurrency runtime's event descriptors, in the real CLI) are all close-on-exec and stay.
    private static func closeInheritedDescriptors() {
        guard let directory = opendir("/proc/self/fd") else { return }
        var open: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if let descriptor = Int32(name), descriptor > 2 { open.append(descriptor) }
        }
        let own = dirfd(directory)
        closedir(directory)
        for descriptor in open where descriptor != own {
            let flags = fcntl(descriptor, F_GETFD)
            if flags >= 0 && flags & FD_CLOEXEC == 0 { close(descriptor) }
        }
    }
}
