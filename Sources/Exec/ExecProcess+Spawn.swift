import Foundation
import Glibc
import RemoteCommand
import Subprocess

extension ExecProcess {
    /// Spawns `request.command` in `launch`'s environment and working directory and starts
    /// the reader and waiter threads. Events come in order per source (stdout, stderr, exit).
    static func start(
        _ request: ExecRequest, launch: ExecLaunch,
        onEvent: @escaping @Sendable (Event) -> Void, onStdinDrained: @escaping @Sendable () -> Void
    ) throws -> ExecProcess {
        var request = request
        let path: String
        if let wrapper = launch.wrapper.first {
            path = wrapper
            request.command = launch.wrapper + request.command
        } else {
            guard let name = request.command.first, let found = Self.lookUp(name, in: launch.searchPath) else {
                throw SpawnError(description: "exec: \"\(request.command.first ?? "")\": executable file not found in $PATH")
            }
            path = found
        }
        return request.tty
            ? try startWithTerminal(request, path: path, launch: launch, onEvent: onEvent, onStdinDrained: onStdinDrained)
            : try startWithPipes(request, path: path, launch: launch, onEvent: onEvent, onStdinDrained: onStdinDrained)
    }

    /// The command as the container would find it: in the container's `PATH`, not the agent's.
    static func lookUp(_ name: String, in searchPath: String) -> String? {
        if name.contains("/") { return name }
        for directory in searchPath.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    private static func startWithPipes(
        _ request: ExecRequest, path: String, launch: ExecLaunch,
        onEvent: @escaping @Sendable (Event) -> Void, onStdinDrained: @escaping @Sendable () -> Void
    ) throws -> ExecProcess {
        let child = try spawn(Subprocess.Options(
            executable: path, arguments: request.command, environment: launch.environment, workingDirectory: launch.workingDirectory,
            stdin: request.stdin ? .pipe : .null, stdout: request.stdout ? .pipe : .null, stderr: request.stderr ? .pipe : .null
        ))
        let process = ExecProcess(pid: child.pid, tty: false, stdinFD: child.stdin ?? -1, group: child.group, onStdinDrained: onStdinDrained)
        startReader(child.stdout ?? -1, make: Event.stdout, closed: .stdoutClosed, onEvent: onEvent)
        startReader(child.stderr ?? -1, make: Event.stderr, closed: .stderrClosed, onEvent: onEvent)
        startWaiter(child.group, onEvent: onEvent)
        return process
    }

    private static func startWithTerminal(
        _ request: ExecRequest, path: String, launch: ExecLaunch,
        onEvent: @escaping @Sendable (Event) -> Void, onStdinDrained: @escaping @Sendable () -> Void
    ) throws -> ExecProcess {
        var master: Int32 = -1, slave: Int32 = -1
        guard openpty(&master, &slave, nil, nil, nil) == 0 else {
            throw SpawnError(description: "openpty: \(errnoText())")
        }
        _ = fcntl(master, F_SETFD, FD_CLOEXEC)
        _ = fcntl(slave, F_SETFD, FD_CLOEXEC)
        guard let namePointer = ttyname(slave) else {
            close(master); close(slave)
            throw SpawnError(description: "ttyname: \(errnoText())")
        }
        let slaveName = String(cString: namePointer)
        var environment = launch.environment
        if !environment.contains(where: { $0.hasPrefix("TERM=") }) { environment.append("TERM=xterm") }
        let child: Subprocess.Child
        do {
            child = try spawn(Subprocess.Options(
                executable: path, arguments: request.command, environment: environment, workingDirectory: launch.workingDirectory,
                placement: .terminal(slaveName)
            ))
        } catch {
            close(master); close(slave)
            throw error
        }
        close(slave)
        let writeFD = dup(master)
        _ = fcntl(writeFD, F_SETFD, FD_CLOEXEC)
        let process = ExecProcess(pid: child.pid, tty: true, stdinFD: writeFD, group: child.group, onStdinDrained: onStdinDrained)
        startReader(master, make: Event.stdout, closed: .stdoutClosed, onEvent: onEvent)
        onEvent(.stderrClosed)
        startWaiter(child.group, onEvent: onEvent)
        return process
    }

    /// Spawns the command (``Subprocess``: its own process group or terminal session, default
    /// signal handling whatever the agent ignores), with an error the client can read.
    private static func spawn(_ options: Subprocess.Options) throws -> Subprocess.Child {
        do {
            return try Subprocess.spawn(options)
        } catch {
            throw SpawnError(description: "exec \(options.arguments.first ?? options.executable): \(error)")
        }
    }

    /// One thread per output: takes a credit, reads, hands the chunk on with the credit.
    private static func startReader(
        _ fd: Int32, make: @escaping @Sendable ([UInt8], ExecOutputCredit) -> Event, closed: Event,
        onEvent: @escaping @Sendable (Event) -> Void
    ) {
        guard fd >= 0 else {
            onEvent(closed)
            return
        }
        let credit = ExecOutputCredit()
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: chunkSize)
            while true {
                credit.take()
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    onEvent(make(Array(buffer[0..<n]), credit))
                } else {
                    credit.give()
                    if n < 0 && errno == EINTR { continue }
                    break  // 0 = EOF; EIO from a terminal master once the child side is gone.
                }
            }
            close(fd)
            onEvent(closed)
        }
    }

    private static func startWaiter(_ group: ProcessGroup, onEvent: @escaping @Sendable (Event) -> Void) {
        Thread.detachNewThread {
            let outcome: ExecOutcome = switch group.waitAndReap() {
            case .exited(let code): .exited(code)
            case .signaled(let signal): .signaled(signal)
            case .unknown(let reason): .failed(reason)
            }
            onEvent(.exited(outcome))
        }
    }
}

func errnoText() -> String { String(cString: strerror(errno)) }
