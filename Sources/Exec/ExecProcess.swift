import Dispatch
import Glibc
import RemoteCommand
import Subprocess
import Synchronization

/// An exec's command, running on this agent: spawned with pipes or on a pseudo-terminal
/// (``ExecProcess/start(_:launch:onEvent:onStdinDrained:)``), read by one blocking thread
/// per output and waited for by another.
///
/// Bounded both ways: output waits for credits (``ExecOutputCredit``), so a slow client
/// slows the command; stdin counts the bytes not yet written to the child
/// (``pendingStdin``), so the connection stops reading past ``stdinHighWater``.
final class ExecProcess: Sendable {
    enum Event: Sendable {
        /// A chunk of output; hand `credit` back once it has been written or dropped.
        case stdout([UInt8], ExecOutputCredit)
        case stderr([UInt8], ExecOutputCredit)
        /// EOF (or, for a terminal, EIO after the last process let go of it).
        case stdoutClosed
        case stderrClosed
        case exited(ExecOutcome)
    }

    struct SpawnError: Error, CustomStringConvertible {
        var description: String
    }

    /// Bytes read from the output at once.
    static let chunkSize = 32 << 10
    /// Stdin bytes queued for the child beyond which the connection stops reading.
    static let stdinHighWater = 1 << 20

    let pid: pid_t
    let tty: Bool
    /// Where stdin bytes go: the pipe's write end, or (a dup of) the terminal master; -1 when none.
    private let stdinFD: Int32
    private let ioQueue = DispatchQueue(label: "ordinal-exec-stdin")
    private let state: Mutex<(stdinOpen: Bool, pendingStdin: Int)>
    /// False once the command's leader is reaped: its process group id may then be reused.
    let group: ProcessGroup
    private let onStdinDrained: @Sendable () -> Void

    init(pid: pid_t, tty: Bool, stdinFD: Int32, group: ProcessGroup, onStdinDrained: @escaping @Sendable () -> Void) {
        self.pid = pid
        self.tty = tty
        self.stdinFD = stdinFD
        self.group = group
        self.state = Mutex((stdinFD >= 0, 0))
        self.onStdinDrained = onStdinDrained
    }

    /// Stdin bytes accepted but not yet written to the child.
    var pendingStdin: Int { state.withLock { $0.pendingStdin } }

    func writeStdin(_ bytes: [UInt8]) {
        state.withLock { $0.pendingStdin += bytes.count }
        ioQueue.async { [self] in
            let open = state.withLock { $0.stdinOpen }
            if open, !Self.writeAll(stdinFD, bytes) { closeStdinNow() }
            let crossed = state.withLock { state -> Bool in
                let before = state.pendingStdin
                state.pendingStdin -= bytes.count
                return before > Self.stdinHighWater && state.pendingStdin <= Self.stdinHighWater
            }
            if crossed { onStdinDrained() }
        }
    }

    /// EOF for the child: closes a pipe; on a terminal, types ^D (the terminal stays open
    /// because it also carries output).
    func closeStdin() {
        ioQueue.async { [self] in
            guard state.withLock({ $0.stdinOpen }) else { return }
            if tty { _ = Self.writeAll(stdinFD, [0x04]) } else { closeStdinNow() }
        }
    }

    func resize(_ size: TerminalSize) {
        guard tty else { return }
        ioQueue.async { [self] in
            guard state.withLock({ $0.stdinOpen }) else { return }
            var ws = winsize(ws_row: size.height, ws_col: size.width, ws_xpixel: 0, ws_ypixel: 0)
            _ = ioctl(stdinFD, UInt(TIOCSWINSZ), &ws)
        }
    }

    /// Kills the command's whole process group (the client went away), unless its leader
    /// has already been reaped.
    func terminate() {
        group.kill()
        ioQueue.async { [self] in closeStdinNow() }
    }

    /// Releases the stdin descriptor once the command is over.
    func release() {
        ioQueue.async { [self] in closeStdinNow() }
    }

    private func closeStdinNow() {
        let wasOpen = state.withLock { state -> Bool in
            defer { state.stdinOpen = false }
            return state.stdinOpen
        }
        if wasOpen { close(stdinFD) }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }
}
