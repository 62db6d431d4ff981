import CSubprocess
import Glibc

/// Small descriptor helpers for everything that starts or talks to a child.
package enum Descriptors {
    /// A pipe whose both ends are close-on-exec from the start (`pipe2` with `O_CLOEXEC`): a
    /// `pipe` then `fcntl` leaves a window in which another thread's spawn inherits the ends,
    /// and a reader then never sees end-of-file while that process lives.
    package static func pipe() throws(Subprocess.Failure) -> (read: Int32, write: Int32) {
        var ends: [Int32] = [-1, -1]
        guard subprocess_pipe_cloexec(&ends) == 0 else { throw Subprocess.Failure(operation: "pipe2", code: errno) }
        return (ends[0], ends[1])
    }

    package static func setNonBlocking(_ descriptor: Int32) {
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
    }

    /// Writes everything, retrying on `EINTR`; false when the descriptor failed.
    package static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }
}
