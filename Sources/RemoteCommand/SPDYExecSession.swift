/// The server side of one exec over SPDY: which client streams exist and what they are for,
/// replies, pings, and the closing sequence. Pure state; the shell feeds decoded frames in
/// and writes the frames that come out.
///
/// Wire behaviour (kubelet + moby/spdystream):
/// - the client opens one stream per role with SYN_STREAM (odd ids, `streamtype` header) and
///   waits for a SYN_REPLY (empty headers) before using it;
/// - the command starts once every expected stream exists;
/// - client PINGs (odd ids) are echoed;
/// - the client half-closes stdin with an empty DATA frame carrying FLAG_FIN;
/// - at the end the server sends FIN on stdout/stderr, writes the status on the error stream,
///   FINs it (the client reads the error stream to EOF), then waits for the client to hang up.
public struct SPDYExecSession {
    /// More streams than an exec ever needs (five) is a broken or hostile client.
    public static let maxStreams = 16
    /// Output is cut into data frames of at most this many bytes.
    public static let maxDataChunk = 32 << 10

    public let request: ExecRequest
    public let version: RemoteCommandProtocol
    public let expectedRoles: Set<ExecStreamRole>
    private var streamRoles: [UInt32: ExecStreamRole?] = [:]
    private var roleStreams: [ExecStreamRole: UInt32] = [:]
    private var lastClientStreamID: UInt32 = 0
    private var closedByUs: Set<UInt32> = []
    private var stdinClosed = false
    private var resizeDecoder = TerminalSizeDecoder()
    public private(set) var started = false
    public private(set) var finished = false

    public init(request: ExecRequest, protocol version: RemoteCommandProtocol) {
        self.request = request
        self.version = version
        self.expectedRoles = ExecStreamRole.expected(for: request, protocol: version)
    }

    public var openedRoles: Set<ExecStreamRole> { Set(roleStreams.keys) }

    /// Handles one frame from the client: frames to send back, and events for the shell.
    public mutating func receive(_ frame: SPDYFrame) -> (send: [SPDYFrame], events: [ExecSessionEvent]) {
        switch frame {
        case .synStream(let syn):
            return openStream(syn)
        case .data(let id, let payload, let fin):
            return ([], data(streamID: id, payload: payload, fin: fin))
        case .rstStream(let id, _):
            if let role = streamRoles[id] ?? nil, role == .stdin, !stdinClosed {
                stdinClosed = true
                return ([], [.stdinClosed])
            }
            return ([], [])
        case .ping(let id):
            // Echo the peer's pings (odd ids from a client); ours would be even and we send none.
            return id & 1 == 1 ? ([.ping(id: id)], []) : ([], [])
        case .goAway:
            return ([], finished ? [] : [.abort("client sent GOAWAY")])
        case .synReply, .headers, .settings, .windowUpdate:
            // spdystream does no flow control; nothing here changes the session.
            return ([], [])
        }
    }

    private mutating func openStream(_ syn: SPDYSynStream) -> (send: [SPDYFrame], events: [ExecSessionEvent]) {
        let id = syn.streamID
        // Client streams are odd and strictly increasing (SPDY/3 section 2.3.2).
        guard id & 1 == 1, id > lastClientStreamID else {
            return ([.rstStream(streamID: id, status: .protocolError)], [])
        }
        lastClientStreamID = id
        guard streamRoles.count < Self.maxStreams else {
            return ([.rstStream(streamID: id, status: .refusedStream)], [])
        }
        let role = syn.headers["streamtype"].flatMap(ExecStreamRole.init(rawValue:))
        if let role, roleStreams[role] != nil {
            return ([.rstStream(streamID: id, status: .protocolError)], [])
        }
        streamRoles[id] = role
        if let role { roleStreams[role] = id }
        var events: [ExecSessionEvent] = []
        if syn.fin, role == .stdin { stdinClosed = true }
        if !started && expectedRoles.isSubset(of: openedRoles) {
            started = true
            events.append(.start)
            if stdinClosed { events.append(.stdinClosed) }
        }
        return ([.synReply(streamID: id, headers: SPDYHeaders(), fin: false)], events)
    }

    private mutating func data(streamID: UInt32, payload: [UInt8], fin: Bool) -> [ExecSessionEvent] {
        guard let entry = streamRoles[streamID], let role = entry else { return [] }
        var events: [ExecSessionEvent] = []
        switch role {
        case .stdin where !stdinClosed:
            if !payload.isEmpty { events.append(.stdin(payload)) }
            if fin {
                stdinClosed = true
                events.append(.stdinClosed)
            }
        case .resize:
            events += resizeDecoder.feed(payload).map(ExecSessionEvent.resize)
        default:
            break
        }
        return events
    }

    /// Frames carrying process output on `role` (stdout or stderr); empty if that stream
    /// was not opened or the session is finished.
    public func output(_ bytes: [UInt8], on role: ExecStreamRole) -> [SPDYFrame] {
        guard !finished, let id = roleStreams[role], !bytes.isEmpty else { return [] }
        return stride(from: 0, to: bytes.count, by: Self.maxDataChunk).map { start in
            .data(streamID: id, payload: Array(bytes[start..<min(bytes.count, start + Self.maxDataChunk)]), fin: false)
        }
    }

    /// The closing frames once the command has ended and its output is flushed.
    public mutating func finish(_ outcome: ExecOutcome) -> [SPDYFrame] {
        guard !finished else { return [] }
        finished = true
        var frames: [SPDYFrame] = []
        for role in [ExecStreamRole.stdout, .stderr] {
            if let id = roleStreams[role] { frames.append(.data(streamID: id, payload: [], fin: true)) }
        }
        if let id = roleStreams[.error] {
            let body = ExecStatus.body(for: outcome, command: request.command, protocol: version)
            if !body.isEmpty { frames.append(.data(streamID: id, payload: body, fin: false)) }
            frames.append(.data(streamID: id, payload: [], fin: true))
        }
        // Half-close the streams the client writes to, so its readers of them see EOF too.
        for role in [ExecStreamRole.stdin, .resize] {
            if let id = roleStreams[role] { frames.append(.data(streamID: id, payload: [], fin: true)) }
        }
        return frames
    }
}
