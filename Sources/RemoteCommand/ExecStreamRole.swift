/// The part a stream (SPDY) or channel (WebSocket) plays in an exec session.
/// Over SPDY the client names it in the `streamtype` header; over WebSocket it is the
/// channel byte that prefixes every message.
public enum ExecStreamRole: String, Sendable, CaseIterable {
    case stdin, stdout, stderr, error, resize

    /// The WebSocket channel number (`remotecommand.StreamStdIn` ... `StreamResize`).
    public var channel: UInt8 {
        switch self {
        case .stdin: 0
        case .stdout: 1
        case .stderr: 2
        case .error: 3
        case .resize: 4
        }
    }

    public init?(channel: UInt8) {
        guard let role = Self.allCases.first(where: { $0.channel == channel }) else { return nil }
        self = role
    }

    /// The streams a client opens for `request` under `version`: always error; stdin/stdout/stderr
    /// as requested (stderr never with a TTY); resize with a TTY from v3 on.
    public static func expected(for request: ExecRequest, protocol version: RemoteCommandProtocol) -> Set<ExecStreamRole> {
        var roles: Set<ExecStreamRole> = [.error]
        if request.stdin { roles.insert(.stdin) }
        if request.stdout { roles.insert(.stdout) }
        if request.stderr && !request.tty { roles.insert(.stderr) }
        if request.tty && version.supportsResize { roles.insert(.resize) }
        return roles
    }
}

/// What a session asks its shell (the NIO handler) to do with the process.
public enum ExecSessionEvent: Equatable, Sendable {
    /// Every expected stream exists: start the command.
    case start
    case stdin([UInt8])
    /// The client finished stdin: close the process's stdin (EOF).
    case stdinClosed
    case resize(TerminalSize)
    /// The client is gone or broke the protocol: stop the command and close the connection.
    case abort(String)
}
