/// Messages of the WebSocket remote-command protocols (`v4.channel.k8s.io`, `v5.channel.k8s.io`):
/// every binary message starts with one channel byte (0 stdin, 1 stdout, 2 stderr, 3 error,
/// 4 resize); v5 adds channel 255, the CLOSE signal, whose payload is the one channel being closed.
public enum WebSocketChannelMessage: Equatable, Sendable {
    case data(channel: UInt8, payload: [UInt8])
    case close(channel: UInt8)

    public static let closeSignal: UInt8 = 255

    public enum DecodeError: Error, Equatable, Sendable {
        case empty
        case malformedClose(length: Int)
    }

    public static func decode(_ message: [UInt8], protocol version: RemoteCommandProtocol) throws(DecodeError) -> WebSocketChannelMessage {
        guard let channel = message.first else { throw .empty }
        if channel == closeSignal && version == .v5 {
            guard message.count == 2 else { throw .malformedClose(length: message.count) }
            return .close(channel: message[1])
        }
        return .data(channel: channel, payload: Array(message.dropFirst()))
    }

    public func encode() -> [UInt8] {
        switch self {
        case .data(let channel, let payload): [channel] + payload
        case .close(let channel): [Self.closeSignal, channel]
        }
    }
}

/// The server side of one exec over WebSocket. Channels need no opening handshake: the
/// request's flags say which exist, so the command can start as soon as the upgrade is done.
/// At the end the server sends the status on the error channel and closes the WebSocket with
/// code 1000 (normal closure), which the client turns into EOF on every stream.
public struct WebSocketExecSession {
    /// Output is cut into messages of at most this many payload bytes (the client's read
    /// buffer is 32 KiB + 1 KiB).
    public static let maxDataChunk = 32 << 10

    public let request: ExecRequest
    public let version: RemoteCommandProtocol
    private var stdinClosed = false
    private var resizeDecoder = TerminalSizeDecoder()
    public private(set) var finished = false

    public init(request: ExecRequest, protocol version: RemoteCommandProtocol) {
        self.request = request
        self.version = version
    }

    /// Handles one complete binary message from the client.
    public mutating func receive(_ message: [UInt8]) -> [ExecSessionEvent] {
        guard let decoded = try? WebSocketChannelMessage.decode(message, protocol: version) else { return [] }
        switch decoded {
        case .close(let channel):
            if channel == ExecStreamRole.stdin.channel, !stdinClosed {
                stdinClosed = true
                return [.stdinClosed]
            }
            return []
        case .data(let channel, let payload):
            switch ExecStreamRole(channel: channel) {
            case .stdin where request.stdin && !stdinClosed:
                return payload.isEmpty ? [] : [.stdin(payload)]
            case .resize where request.tty:
                return resizeDecoder.feed(payload).map(ExecSessionEvent.resize)
            default:
                return []
            }
        }
    }

    /// Messages carrying process output on `role` (stdout or stderr).
    public func output(_ bytes: [UInt8], on role: ExecStreamRole) -> [[UInt8]] {
        guard !finished, !bytes.isEmpty else { return [] }
        switch role {
        case .stdout where request.stdout, .stderr where request.stderr: break
        default: return []
        }
        return stride(from: 0, to: bytes.count, by: Self.maxDataChunk).map { start in
            WebSocketChannelMessage.data(
                channel: role.channel, payload: Array(bytes[start..<min(bytes.count, start + Self.maxDataChunk)])
            ).encode()
        }
    }

    /// The final messages (the status on the error channel); the shell then sends a
    /// WebSocket close frame with status 1000.
    public mutating func finish(_ outcome: ExecOutcome) -> [[UInt8]] {
        guard !finished else { return [] }
        finished = true
        let body = ExecStatus.body(for: outcome, command: request.command, protocol: version)
        return body.isEmpty ? [] : [WebSocketChannelMessage.data(channel: ExecStreamRole.error.channel, payload: body).encode()]
    }
}
