import CSubprocess
import Glibc

/// The one way Ordinal starts a process — a pod keeper, a `kubectl exec` command, `ip`,
/// `btrfs`, `mount` — so the rules that keep the agent safe hold for all of them:
///
/// - **Close-on-exec everywhere.** Every descriptor Ordinal opens is close-on-exec from
///   birth (pipes come from `pipe2(O_CLOEXEC)`), a child gets its stdin, stdout and stderr
///   through `dup2`, and the child closes every other descriptor before it runs (one a
///   library opened without the flag included), so it gets exactly those three. A pipe end inherited by an unrelated child (a keeper spawned
///   by another thread at the wrong instant) once kept a `btrfs send` stream from ever
///   ending.
/// - **A process group per child**, or a session for a keeper or a terminal, so everything a
///   child starts can be signalled together (``ProcessGroup``).
/// - **Default signal handling**: an empty mask and default dispositions, whatever the agent
///   ignores (`SIGPIPE`) or handles itself (`SIGTERM`).
/// - **Bounded pipes**: ``run(_:_:outputLimit:timeout:)`` reads both outputs at once and
///   stops a tool that prints more than its limit or runs past its time.
package enum Subprocess {
    package struct Failure: Error, Sendable, CustomStringConvertible {
        package var operation: String
        package var code: Int32

        package init(operation: String, code: Int32) {
            self.operation = operation
            self.code = code
        }

        package var description: String { "\(operation): \(String(cString: strerror(code)))" }
    }

    /// Where one of the child's standard descriptors comes from or goes.
    package enum Stream: Sendable {
        case null
        /// This descriptor of the parent's (the parent keeps it and closes it when it likes).
        case descriptor(Int32)
        /// A new pipe; the parent's end is in the ``Child``.
        case pipe
    }

    package enum Placement: Sendable, Equatable {
        /// The leader of a new process group.
        case newGroup
        /// The leader of a new session (and so of a new group): a pod keeper.
        case newSession
        /// The leader of a new session whose controlling terminal is the terminal at this
        /// path, on stdin, stdout and stderr (`kubectl exec -t`); the streams are ignored.
        case terminal(String)
    }

    package struct Options: Sendable {
        package var executable: String
        /// The whole argv, argv[0] included.
        package var arguments: [String]
        package var environment: [String]
        package var workingDirectory: String?
        package var stdin: Stream
        package var stdout: Stream
        package var stderr: Stream
        package var placement: Placement

        package init(
            executable: String, arguments: [String], environment: [String], workingDirectory: String? = nil,
            stdin: Stream = .null, stdout: Stream = .null, stderr: Stream = .null, placement: Placement = .newGroup
        ) {
            self.executable = executable
            self.arguments = arguments
            self.environment = environment
            self.workingDirectory = workingDirectory
            self.stdin = stdin
            self.stdout = stdout
            self.stderr = stderr
            self.placement = placement
        }
    }

    /// A started child: its group (the pid is the group's id), and the parent's ends of
    /// the pipes asked for, close-on-exec and owned by the caller.
    package struct Child: Sendable {
        package let group: ProcessGroup
        package let stdin: Int32?
        package let stdout: Int32?
        package let stderr: Int32?

        package var pid: Int32 { group.leader }
    }

    /// Starts a child as `options` say. On failure nothing is left open.
    package static func spawn(_ options: Options) throws(Failure) -> Child {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var childEnds: [Int32] = []
        var parentEnds: [Int32?] = [nil, nil, nil]
        do throws(Failure) {
            if case .terminal(let path) = options.placement {
                // glibc runs setsid() before the file actions, so opening the terminal here
                // (without O_NOCTTY) makes it the new session's controlling terminal.
                posix_spawn_file_actions_addopen(&actions, 0, path, O_RDWR, 0)
                posix_spawn_file_actions_adddup2(&actions, 0, 1)
                posix_spawn_file_actions_adddup2(&actions, 0, 2)
            } else {
                for (target, stream) in [(Int32(0), options.stdin), (1, options.stdout), (2, options.stderr)] {
                    switch stream {
                    case .null:
                        posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
                    case .descriptor(let descriptor):
                        posix_spawn_file_actions_adddup2(&actions, descriptor, target)
                    case .pipe:
                        let ends = try Descriptors.pipe()
                        let (mine, theirs) = target == 0 ? (ends.write, ends.read) : (ends.read, ends.write)
                        parentEnds[Int(target)] = mine
                        childEnds.append(theirs)
                        posix_spawn_file_actions_adddup2(&actions, theirs, target)
                    }
                }
            }
            // Last, after the dup2s: whatever else is open in the agent stays there.
            subprocess_addclosefrom(&actions, 3)
            if let directory = options.workingDirectory, subprocess_addchdir(&actions, directory) != 0 {
                throw Failure(operation: "chdir \(directory)", code: errno)
            }
            let pid = try spawn(options, actions: &actions)
            childEnds.forEach { close($0) }
            return Child(group: ProcessGroup(leader: pid), stdin: parentEnds[0], stdout: parentEnds[1], stderr: parentEnds[2])
        } catch {
            (childEnds + parentEnds.compactMap { $0 }).forEach { close($0) }
            throw error
        }
    }

    private static func spawn(_ options: Options, actions: inout posix_spawn_file_actions_t) throws(Failure) -> pid_t {
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
        switch options.placement {
        case .newGroup:
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
        case .newSession, .terminal:
            flags |= subprocess_setsid_flag()
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        let argv = options.arguments.map { strdup($0) } + [nil]
        let envp = options.environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, options.executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw Failure(operation: "spawn \(options.executable)", code: result) }
        return pid
    }

    /// The agent's own environment, for tools that should see it (`ip`, `btrfs`).
    package static var inheritedEnvironment: [String] {
        var result: [String] = []
        var cursor = environ
        while let entry = cursor.pointee {
            result.append(String(cString: entry))
            cursor += 1
        }
        return result
    }
}
