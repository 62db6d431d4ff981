import Glibc

/// `posix_spawn` with the process-group and session placement the runtime relies on.
///
/// Every child starts with an empty signal mask and default dispositions, whatever its parent
/// blocked or ignored (the agent's signal handling and ignored `SIGPIPE`), and
/// with only the descriptors given here: everything else the runtime opens is close-on-exec.
package enum Spawner {
    enum Placement {
        /// Leader of a new session (the agent spawning a pod keeper).
        case newSession
    }

    package struct Failure: Error, CustomStringConvertible {
        var operation: String
        var code: Int32
        package var description: String { "\(operation): \(String(cString: strerror(code)))" }
    }

    /// glibc's `POSIX_SPAWN_SETSID` (`spawn.h`, since 2.26), which Swift's Glibc module does not import.
    private static let setSessionFlag: Int32 = 0x80

    /// - Parameters:
    ///   - stdin: A descriptor to become fd 0, or nil for `/dev/null`.
    /// - Returns: The child's pid, which is also its process-group id.
    static func spawn(
        executable: String, arguments: [String], environment: [String], placement: Placement,
        stdin: Int32?, stdout: Int32, stderr: Int32
    ) throws(Failure) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdin {
            posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attributes, &all)
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        switch placement {
        case .newSession:
            flags |= setSessionFlag
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw Failure(operation: "spawn \(executable)", code: result) }
        return pid
    }
}

/// Small descriptor helpers shared by the supervisor, its control channel and the
/// agent's tools (`ClosingPipe`).
package enum Descriptors {
    /// A pipe whose both ends are close-on-exec from the start (`pipe2` with `O_CLOEXEC`): a
    /// `pipe` then `fcntl` leaves a window in which another thread's spawn inherits the ends,
    /// and a reader then never sees end-of-file while that process lives.
    package static func pipe() throws(Spawner.Failure) -> (read: Int32, write: Int32) {
        var ends: [Int32] = [0, 0]
        guard systemPipe2(&ends, O_CLOEXEC) == 0 else { throw Spawner.Failure(operation: "pipe2", code: errno) }
        return (ends[0], ends[1])
    }

    static func setNonBlocking(_ descriptor: Int32) {
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
    }

    /// Writes everything, retrying on `EINTR`; false when the descriptor failed.
    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
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

/// glibc's `pipe2`, which Swift's Glibc module does not import.
@_silgen_name("pipe2")
private func systemPipe2(_ ends: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32
