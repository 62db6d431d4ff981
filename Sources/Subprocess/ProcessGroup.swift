import CSubprocess
import Glibc
import Synchronization

/// A child's process group, killed only while its leader is unreaped. ``waitAndReap()``
/// waits for the leader's exit without reaping it (`waitid(WNOWAIT)`), kills what is left of
/// the group, marks it reaped and only then reaps: a zombie leader keeps its pid, so the
/// group id is never someone else's when `kill(-pgid)` runs.
package final class ProcessGroup: Sendable {
    /// How a child ended.
    package enum Termination: Sendable, Equatable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)
        /// Waiting for it failed (it was reaped elsewhere).
        case unknown(String)

        package var succeeded: Bool { self == .exited(0) }

        package var description: String {
            switch self {
            case .exited(let code): "exit status \(code)"
            case .signaled(let signal): "killed by signal \(signal)"
            case .unknown(let reason): reason
            }
        }
    }

    package let leader: Int32
    private let state = Mutex<Termination?>(nil)

    init(leader: Int32) { self.leader = leader }

    /// SIGKILLs the whole group, unless it is already reaped.
    package func kill() {
        state.withLock { ended in
            if ended == nil { _ = Glibc.kill(-leader, SIGKILL) }
        }
    }

    /// Whether the leader has been reaped.
    package var isReaped: Bool { state.withLock { $0 != nil } }

    /// Waits for the leader to exit, kills the rest of its group (background children would
    /// hold its output open), reaps it. Blocking; later calls return the same answer.
    @discardableResult
    package func waitAndReap() -> Termination {
        if let ended = state.withLock({ $0 }) { return ended }
        if subprocess_wait_exited_nowait(leader) < 0 {
            let reason = "waitid: \(String(cString: strerror(errno)))"
            return state.withLock { ended in
                if ended == nil { ended = .unknown(reason) }
                return ended!
            }
        }
        return state.withLock { ended in
            if let ended { return ended }
            _ = Glibc.kill(-leader, SIGKILL)
            var status: Int32 = 0
            while waitpid(leader, &status, 0) < 0 && errno == EINTR {}
            let signal = status & 0x7f
            let result: Termination = signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
            ended = result
            return result
        }
    }

    /// SIGKILLs the group and reaps its leader.
    @discardableResult
    package func stop() -> Termination {
        kill()
        return waitAndReap()
    }
}
