import Glibc

extension Subprocess {
    /// What a tool run to completion printed.
    package struct Output: Sendable {
        package var termination: ProcessGroup.Termination
        package var stdout: [UInt8]
        package var stderr: [UInt8]
    }

    /// Why a tool run to completion gave no answer.
    package enum RunFailure: Error, Sendable, CustomStringConvertible {
        case cannotStart(Failure)
        /// It printed more than the limit on stdout or stderr, and was killed.
        case tooMuchOutput(limit: Int)
        /// It ran past its time, and was killed.
        case timedOut(Duration)

        package var description: String {
            switch self {
            case .cannotStart(let failure): "\(failure)"
            case .tooMuchOutput(let limit): "printed more than \(limit) bytes, so it was stopped"
            case .timedOut(let limit): "ran longer than \(limit), so it was stopped"
            }
        }
    }

    /// Runs `executable` (argv[0] is its path) with the agent's environment and stdin from
    /// `/dev/null`, reading stdout and stderr together, so neither pipe fills while the other
    /// is read, and each at most `outputLimit` bytes; a tool past the limit or the timeout is
    /// killed with its group. Blocking: callers run it off the node loop.
    package static func run(
        _ executable: String, _ arguments: [String], outputLimit: Int = 1 << 20, timeout: Duration = .seconds(120)
    ) -> Result<Output, RunFailure> {
        let child: Child
        do {
            child = try spawn(Options(
                executable: executable, arguments: [executable] + arguments, environment: inheritedEnvironment,
                stdout: .pipe, stderr: .pipe
            ))
        } catch {
            return .failure(.cannotStart(error))
        }
        let deadline = ContinuousClock.now + timeout
        // Slot 0 is stdout, slot 1 stderr; a slot leaves `open` at its end of file.
        var open: [(slot: Int, descriptor: Int32)] = [(0, child.stdout!), (1, child.stderr!)]
        var printed: [[UInt8]] = [[], []]
        defer { open.forEach { close($0.descriptor) } }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while !open.isEmpty {
            let left = deadline - ContinuousClock.now
            guard left > .zero else {
                child.group.stop()
                return .failure(.timedOut(timeout))
            }
            var polls = open.map { pollfd(fd: $0.descriptor, events: Int16(POLLIN), revents: 0) }
            let milliseconds = Int32(clamping: left.components.seconds * 1_000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
            let ready = poll(&polls, nfds_t(polls.count), milliseconds)
            if ready < 0 && errno == EINTR { continue }
            guard ready >= 0 else { break }
            for index in stride(from: polls.count - 1, through: 0, by: -1) where polls[index].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(open[index].descriptor, $0.baseAddress, $0.count) }
                if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                guard count > 0 else {
                    close(open[index].descriptor)
                    open.remove(at: index)
                    continue
                }
                printed[open[index].slot] += buffer[0 ..< count]
                if printed[open[index].slot].count > outputLimit {
                    child.group.stop()
                    return .failure(.tooMuchOutput(limit: outputLimit))
                }
            }
        }
        return .success(Output(termination: child.group.waitAndReap(), stdout: printed[0], stderr: printed[1]))
    }
}
