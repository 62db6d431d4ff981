public import RemoteCommand

/// What the exec layer asks the agent: whether a request carries the API's credential, and
/// where a pod's command runs. The agent answers from its replica; the exec layer does the I/O.
public protocol ExecBackend: Sendable {
    /// Whether `authorization` (the `Authorization` header, if any) may exec. Checked before
    /// any upgrade, so an exec without the token is answered 401 like any other write.
    func authorize(_ authorization: String?) -> Bool

    /// Where `request` runs: here (with the container's environment), on another agent, or not
    /// at all. `forwarded` is true when another agent already sent it here, so it is never
    /// forwarded twice.
    func resolve(_ request: ExecRequest, forwarded: Bool) -> ExecTarget
}

/// Where one exec runs.
public enum ExecTarget: Sendable {
    case local(ExecLaunch)
    /// The agent hosting the pod, by its API address (`host:port`).
    case remote(String)
    case refused(ExecRefusal)
}

/// How the command is started: the container's clean environment and working directory,
/// as the runtime builds them when it launches the container.
public struct ExecLaunch: Sendable, Equatable {
    public var environment: [String]
    public var workingDirectory: String
    /// A command line the request's command is appended to and run through, when the command
    /// runs somewhere else than this host's file system (inside a container, through its
    /// runtime); empty: the command itself, looked up in the container's `PATH`.
    public var wrapper: [String]

    public init(environment: [String], workingDirectory: String, wrapper: [String] = []) {
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.wrapper = wrapper
    }

    /// The `PATH` the container sees (the command is looked up in it, not in the agent's).
    var searchPath: String {
        environment.last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) } ?? "/usr/local/bin:/usr/bin:/bin"
    }
}

/// Why an exec is refused, as a `metav1.Status` code and message.
public struct ExecRefusal: Error, Sendable, Equatable {
    public var code: Int
    public var reason: String
    public var message: String

    public init(code: Int, reason: String, message: String) {
        self.code = code
        self.reason = reason
        self.message = message
    }
}
