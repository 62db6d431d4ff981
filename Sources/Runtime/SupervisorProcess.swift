import Foundation
import Glibc
import Synchronization

/// The agent's handle on one running supervisor (`ordinal supervise`) process.
///
/// The control channel is a Unix socket on the supervisor's stdin; the supervisor treats its
/// end of file as the agent's death. Dropping the handle therefore closes it and the supervisor
/// SIGKILLs the pod, which is also what happens when the agent itself dies.
package final class SupervisorProcess: Sendable {
    package let pid: Int32
    /// Every report the supervisor sends, newest kept when the reader falls behind. Finishes
    /// once the supervisor has exited and been reaped.
    package let reports: AsyncStream<PodRuntimeReport>
    /// The control socket; nil once the supervisor has exited and been reaped, so no signal can
    /// reach a recycled pid.
    private let control: ControlEnd

    /// Serializes spawns so no supervisor inherits another one's control socket in the window
    /// between creating a descriptor and marking it close-on-exec.
    private static let spawnLock = Mutex(())

    private init(pid: Int32, reports: AsyncStream<PodRuntimeReport>, control: Int32) {
        self.pid = pid
        self.reports = reports
        self.control = ControlEnd(control)
    }

    deinit {
        control.close()
    }

    /// Spawns `executable supervise` as the leader of a new session, with a clean environment
    /// (`PATH` only, so it carries no pod identity) and `launch` on the first line of its stdin.
    /// Its stderr is the agent's, for the supervisor's few diagnostics.
    /// - Throws: When the descriptors cannot be made or the process cannot be spawned.
    package static func launch(_ launch: PodLaunch, executable: String) throws -> SupervisorProcess {
        let line = try JSONEncoder().encode(launch) + Data([UInt8(ascii: "\n")])
        let (pid, controlEnd, reportsEnd) = try spawnLock.withLock { _ in try spawn(executable: executable, launch: launch) }
        let (stream, continuation) = AsyncStream.makeStream(of: PodRuntimeReport.self, bufferingPolicy: .bufferingNewest(64))
        let process = SupervisorProcess(pid: pid, reports: stream, control: controlEnd)
        if process.send(Array(line), blocking: true) != .sent { kill(pid, SIGKILL) }
        let control = process.control
        let thread = Thread {
            readReports(from: reportsEnd, into: continuation)
            control.reap(pid)
            continuation.finish()
        }
        thread.name = "ordinal-supervisor-\(pid)"
        thread.start()
        return process
    }

    /// Moves the lease deadline. Never blocks: when the supervisor is not reading, the line is
    /// dropped, and the supervisor's own clock enforces the previous deadline.
    package func renewLease(until deadline: MonotonicDeadline) {
        guard let line = try? JSONEncoder().encode(ControlMessage(lease: deadline.nanoseconds)) else { return }
        _ = send(Array(line) + [UInt8(ascii: "\n")], blocking: false)
    }

    /// Asks for a graceful stop: SIGTERM to each container, SIGKILL after the grace period,
    /// then a last report with exit `stopped`. Falls back to SIGTERM on the supervisor, which
    /// it treats the same, when the line cannot be sent.
    package func stop() {
        guard let line = try? JSONEncoder().encode(ControlMessage(stop: .init())) else { return }
        _ = send(Array(line) + [UInt8(ascii: "\n")], blocking: false, orSignal: SIGTERM)
    }

    private func send(_ bytes: [UInt8], blocking: Bool, orSignal signal: Int32? = nil) -> ControlEnd.SendResult {
        control.send(bytes, blocking: blocking) { [pid] in
            if let signal { kill(pid, signal) }
        }
    }

    private static func spawn(executable: String, launch: PodLaunch) throws -> (Int32, Int32, Int32) {
        var pair: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw Spawner.Failure(operation: "socketpair", code: errno)
        }
        defer { close(pair[1]) }
        let reports: (read: Int32, write: Int32)
        do {
            reports = try Descriptors.pipe()
        } catch {
            close(pair[0])
            throw error
        }
        defer { close(reports.write) }
        do {
            let pid = try Spawner.spawn(executable: executable, arguments: [executable, "supervise"],
                                        environment: ["PATH=\(launch.searchPath)"], placement: .newSession,
                                        stdin: pair[1], stdout: reports.write, stderr: 2)
            return (pid, pair[0], reports.read)
        } catch {
            close(pair[0])
            close(reports.read)
            throw error
        }
    }

    private static func readReports(from descriptor: Int32, into continuation: AsyncStream<PodRuntimeReport>.Continuation) {
        var reader = LineReader()
        let decoder = JSONDecoder()
        while case .lines(let lines) = reader.read(descriptor) {
            for line in lines {
                if let report = try? decoder.decode(PodRuntimeReport.self, from: Data(line)) { continuation.yield(report) }
            }
        }
        close(descriptor)
    }
}

/// The agent's end of a supervisor's control socket, shared with the thread that reaps it.
private final class ControlEnd: Sendable {
    enum SendResult { case sent, failed, exited }

    private let descriptor: Mutex<Int32?>

    init(_ descriptor: Int32) {
        self.descriptor = Mutex(descriptor)
    }

    /// Sends all of `bytes`; on failure runs `fallback` while the process is known unreaped.
    func send(_ bytes: [UInt8], blocking: Bool, fallback: () -> Void) -> SendResult {
        descriptor.withLock { descriptor in
            guard let open = descriptor else { return .exited }
            var offset = 0
            while offset < bytes.count {
                let flags = Int32(MSG_NOSIGNAL) | (blocking ? 0 : Int32(MSG_DONTWAIT))
                let sent = bytes[offset...].withUnsafeBytes { Glibc.send(open, $0.baseAddress, $0.count, flags) }
                if sent < 0 && errno == EINTR { continue }
                guard sent > 0 else {
                    fallback()
                    return .failed
                }
                offset += sent
            }
            return .sent
        }
    }

    /// Waits for `pid` to exit, then closes the socket and reaps it under the lock, so a signal
    /// sent through ``send(_:blocking:fallback:)`` never reaches a recycled pid.
    func reap(_ pid: Int32) {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
        descriptor.withLock { descriptor in
            if let open = descriptor { Glibc.close(open) }
            descriptor = nil
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
    }

    func close() {
        descriptor.withLock { descriptor in
            if let open = descriptor { Glibc.close(open) }
            descriptor = nil
        }
    }
}
