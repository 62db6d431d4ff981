import CExecShim
import Foundation
import Glibc
import RemoteCommand

extension ExecProcess {
    /// Spawns `request.command` in `launch`'s environment and working directory and starts
    /// the reader and waiter threads. Events come in order per source (stdout, stderr, exit).
    static func start(
        _ request: ExecRequest, launch: ExecLaunch,
        onEvent: @escaping @Sendable (Event) -> Void, onStdinDrained: @escaping @Sendable () -> Void
    ) throws -> ExecProcess {
        guard let name = request.command.first, let path = Self.lookUp(name, in: launch.searchPath) else {
            throw SpawnError(description: "exec: \"\(request.command.first ?? "")\": executable file not found in $PATH")
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
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var childEnds: [Int32] = []
        var parentEnds: [Int32] = []
        func pipePair() throws -> (read: Int32, write: Int32) {
            var fds: [Int32] = [-1, -1]
            guard exec_shim_pipe_cloexec(&fds) == 0 else { throw SpawnError(description: "pipe: \(errnoText())") }
            return (fds[0], fds[1])
        }
        var stdinWrite: Int32 = -1, stdoutRead: Int32 = -1, stderrRead: Int32 = -1
        let pid: pid_t
        do {
            if request.stdin {
                let p = try pipePair()
                stdinWrite = p.write; parentEnds.append(p.write); childEnds.append(p.read)
                posix_spawn_file_actions_adddup2(&actions, p.read, 0)
            } else {
                posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            }
            for (isOut, wanted) in [(true, request.stdout), (false, request.stderr)] {
                let target: Int32 = isOut ? 1 : 2
                if wanted {
                    let p = try pipePair()
                    if isOut { stdoutRead = p.read } else { stderrRead = p.read }
                    parentEnds.append(p.read); childEnds.append(p.write)
                    posix_spawn_file_actions_adddup2(&actions, p.write, target)
                } else {
                    posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
                }
            }
            pid = try spawn(path, request.command, launch: launch, actions: &actions, flags: Int32(POSIX_SPAWN_SETPGROUP), tty: false)
        } catch {
            (childEnds + parentEnds).forEach { close($0) }
            throw error
        }
        childEnds.forEach { close($0) }
        let group = ProcessGroup(leader: pid)
        let process = ExecProcess(pid: pid, tty: false, stdinFD: stdinWrite, group: group, onStdinDrained: onStdinDrained)
        startReader(stdoutRead, make: Event.stdout, closed: .stdoutClosed, onEvent: onEvent)
        startReader(stderrRead, make: Event.stderr, closed: .stderrClosed, onEvent: onEvent)
        startWaiter(group, onEvent: onEvent)
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
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // glibc runs setsid() before the file actions, so opening the terminal here (without
        // O_NOCTTY) makes it the new session's controlling terminal.
        posix_spawn_file_actions_addopen(&actions, 0, slaveName, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        let pid: pid_t
        do {
            pid = try spawn(path, request.command, launch: launch, actions: &actions, flags: exec_shim_spawn_setsid_flag(), tty: true)
        } catch {
            close(master); close(slave)
            throw error
        }
        close(slave)
        let writeFD = dup(master)
        _ = fcntl(writeFD, F_SETFD, FD_CLOEXEC)
        let group = ProcessGroup(leader: pid)
        let process = ExecProcess(pid: pid, tty: true, stdinFD: writeFD, group: group, onStdinDrained: onStdinDrained)
        startReader(master, make: Event.stdout, closed: .stdoutClosed, onEvent: onEvent)
        onEvent(.stderrClosed)
        startWaiter(group, onEvent: onEvent)
        return process
    }

    /// `posix_spawn` of the resolved path in the container's environment and working
    /// directory, with default signal handling and an empty mask whatever the agent ignores.
    private static func spawn(
        _ path: String, _ argv: [String], launch: ExecLaunch,
        actions: inout posix_spawn_file_actions_t, flags: Int32, tty: Bool
    ) throws -> pid_t {
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var defaults = sigset_t()
        sigfillset(&defaults)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setsigmask(&attr, &emptyMask)
        posix_spawnattr_setpgroup(&attr, 0)
        posix_spawnattr_setflags(&attr, Int16(flags | Int32(POSIX_SPAWN_SETSIGDEF) | Int32(POSIX_SPAWN_SETSIGMASK)))
        guard exec_shim_addchdir(&actions, launch.workingDirectory) == 0 else {
            throw SpawnError(description: "chdir \(launch.workingDirectory): \(errnoText())")
        }
        var environment = launch.environment
        if tty, !environment.contains(where: { $0.hasPrefix("TERM=") }) { environment.append("TERM=xterm") }
        let cArgv = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup($0) } + [nil]
        defer { (cArgv + cEnv).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attr, cArgv, cEnv)
        guard rc == 0 else {
            throw SpawnError(description: "exec \(argv[0]): \(String(cString: strerror(rc)))")
        }
        return pid
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
            onEvent(.exited(group.waitAndReap()))
        }
    }
}

func errnoText() -> String { String(cString: strerror(errno)) }
