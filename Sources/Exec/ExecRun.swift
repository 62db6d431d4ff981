import NIOCore
import RemoteCommand

/// The running command as a connection handler sees it, on the channel's event loop:
/// starts the process with its events hopped onto the loop, and says when it is over —
/// exited *and* both outputs drained, so the status always follows the last byte of output.
struct ExecRun {
    private(set) var process: ExecProcess?
    private var stdoutDone = false
    private var stderrDone = false
    private var outcome: ExecOutcome?

    /// Starts `request.command`; `deliver` runs on the channel's loop for each process event.
    /// Stdin past ``ExecProcess/stdinHighWater`` stops the channel reading until it drained.
    /// On spawn failure, returns the outcome to report instead.
    mutating func start(
        _ request: ExecRequest, launch: ExecLaunch, channel: any Channel,
        deliver: @escaping @Sendable (ExecProcess.Event) -> Void
    ) -> ExecOutcome? {
        let loop = channel.eventLoop
        do {
            process = try ExecProcess.start(
                request, launch: launch,
                onEvent: { event in loop.execute { deliver(event) } },
                onStdinDrained: { channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in } }
            )
            return nil
        } catch {
            return .failed("\(error)")
        }
    }

    /// Records a process event; returns the outcome once the command is completely over.
    mutating func record(_ event: ExecProcess.Event) -> ExecOutcome? {
        switch event {
        case .stdoutClosed: stdoutDone = true
        case .stderrClosed: stderrDone = true
        case .exited(let result): outcome = result
        case .stdout, .stderr: return nil
        }
        guard stdoutDone, stderrDone, let outcome else { return nil }
        process?.release()
        return outcome
    }

    /// Hands a session event to the process; stops reading the channel while the child has
    /// not taken ``ExecProcess/stdinHighWater`` bytes of stdin.
    func apply(_ event: ExecSessionEvent, channel: any Channel) {
        switch event {
        case .stdin(let bytes):
            process?.writeStdin(bytes)
            if let process, process.pendingStdin > ExecProcess.stdinHighWater {
                channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
            }
        case .stdinClosed: process?.closeStdin()
        case .resize(let size): process?.resize(size)
        case .start, .abort: break
        }
    }

    /// The connection is gone before the command ended: kill it.
    func abandon() {
        process?.terminate()
    }
}
