import Dispatch

/// Bounds a command's output in flight: a reader thread takes one credit before each read
/// and the connection gives it back once that chunk was written to the socket (or dropped).
/// With ``window`` chunks of at most ``ExecProcess/chunkSize`` bytes, a client that stops
/// reading stops the command's output at the pipe, not in the agent's memory.
final class ExecOutputCredit: Sendable {
    static let window = 4
    private let semaphore = DispatchSemaphore(value: ExecOutputCredit.window)

    /// Blocks the reader thread until a chunk may be read.
    func take() { semaphore.wait() }

    /// One chunk has left (written, or dropped because the connection is gone).
    func give() { semaphore.signal() }
}
