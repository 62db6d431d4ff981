package import ClusterState

/// How a process ended, decoded from a `waitpid` status (glibc's `W*` macros, which Swift's
/// Glibc module does not import).
package enum ExitStatus: Sendable, Hashable {
    case exited(Int)
    case signaled(Int32)

    package init(waitStatus status: Int32) {
        let signal = status & 0x7F
        self = signal == 0 ? .exited(Int((status >> 8) & 0xFF)) : .signaled(signal)
    }

    /// Kubernetes' exit code: a signal `n` is reported as `128 + n`, as a shell would.
    package var exitCode: Int {
        switch self {
        case .exited(let code): code
        case .signaled(let signal): 128 + Int(signal)
        }
    }

    /// `Completed` for exit code 0, else `Error`.
    package var reason: String { exitCode == 0 ? "Completed" : "Error" }

    /// The terminated state Kubernetes would show.
    package func terminated(startedAt: Timestamp?, finishedAt: Timestamp, message: String?) -> Pod.ContainerState.Detail {
        var detail = Pod.ContainerState.Detail(reason: reason, message: message, exitCode: exitCode, startedAt: startedAt)
        detail.finishedAt = finishedAt
        return detail
    }
}
