/// SPDY/3 frames (draft 3 of the SPDY protocol, as spoken by moby/spdystream, which every
/// kubectl uses for `exec`, `attach`, `port-forward` over `Upgrade: SPDY/3.1`).
///
/// Header blocks appear here already decompressed and parsed; compression state lives in
/// `SPDYFrameDecoder` / `SPDYFrameEncoder` because it spans the whole connection.
public enum SPDYFrame: Equatable, Sendable {
    case synStream(SPDYSynStream)
    case synReply(streamID: UInt32, headers: SPDYHeaders, fin: Bool)
    case rstStream(streamID: UInt32, status: SPDYResetStatus)
    case settings(clearPersisted: Bool, entries: [SPDYSetting])
    case ping(id: UInt32)
    case goAway(lastGoodStreamID: UInt32, status: UInt32)
    case headers(streamID: UInt32, headers: SPDYHeaders, fin: Bool)
    case windowUpdate(streamID: UInt32, delta: UInt32)
    case data(streamID: UInt32, payload: [UInt8], fin: Bool)
}

public struct SPDYSynStream: Equatable, Sendable {
    public var streamID: UInt32
    public var associatedStreamID: UInt32
    /// 3 bits, 0 = highest.
    public var priority: UInt8
    public var slot: UInt8
    public var headers: SPDYHeaders
    public var fin: Bool
    public var unidirectional: Bool

    public init(
        streamID: UInt32, associatedStreamID: UInt32 = 0, priority: UInt8 = 0, slot: UInt8 = 0,
        headers: SPDYHeaders, fin: Bool = false, unidirectional: Bool = false
    ) {
        self.streamID = streamID
        self.associatedStreamID = associatedStreamID
        self.priority = priority
        self.slot = slot
        self.headers = headers
        self.fin = fin
        self.unidirectional = unidirectional
    }
}

public struct SPDYSetting: Equatable, Sendable {
    public var flags: UInt8
    /// 24 bits.
    public var id: UInt32
    public var value: UInt32

    public init(flags: UInt8 = 0, id: UInt32, value: UInt32) {
        self.flags = flags
        self.id = id
        self.value = value
    }
}

/// RST_STREAM status codes (SPDY/3 section 2.6.3).
public enum SPDYResetStatus: Equatable, Sendable {
    case protocolError, invalidStream, refusedStream, unsupportedVersion, cancel, internalError
    case flowControlError, streamInUse, streamAlreadyClosed, invalidCredentials, frameTooLarge
    case other(UInt32)

    public init(code: UInt32) {
        switch code {
        case 1: self = .protocolError
        case 2: self = .invalidStream
        case 3: self = .refusedStream
        case 4: self = .unsupportedVersion
        case 5: self = .cancel
        case 6: self = .internalError
        case 7: self = .flowControlError
        case 8: self = .streamInUse
        case 9: self = .streamAlreadyClosed
        case 10: self = .invalidCredentials
        case 11: self = .frameTooLarge
        default: self = .other(code)
        }
    }

    public var code: UInt32 {
        switch self {
        case .protocolError: 1
        case .invalidStream: 2
        case .refusedStream: 3
        case .unsupportedVersion: 4
        case .cancel: 5
        case .internalError: 6
        case .flowControlError: 7
        case .streamInUse: 8
        case .streamAlreadyClosed: 9
        case .invalidCredentials: 10
        case .frameTooLarge: 11
        case .other(let code): code
        }
    }
}

/// Control frame type numbers and flag bits of SPDY/3.
enum SPDYWire {
    static let version: UInt16 = 3
    static let synStream: UInt16 = 1
    static let synReply: UInt16 = 2
    static let rstStream: UInt16 = 3
    static let settings: UInt16 = 4
    static let ping: UInt16 = 6
    static let goAway: UInt16 = 7
    static let headers: UInt16 = 8
    static let windowUpdate: UInt16 = 9
    static let flagFin: UInt8 = 0x01
    static let flagUnidirectional: UInt8 = 0x02
    static let flagClearSettings: UInt8 = 0x01
    static let streamIDMask: UInt32 = 0x7fff_ffff
    /// Both control and data frames start with 8 bytes of header.
    static let headerLength = 8
}

/// Everything that makes the decoder (or the header-block codec) give up on a connection.
public enum SPDYError: Error, Equatable, Sendable {
    case unsupportedVersion(UInt16)
    case frameTooLarge(length: Int, limit: Int)
    case invalidControlFrame(type: UInt16, length: Int)
    case zeroStreamID
    case headerBlockTooLarge(limit: Int)
    case malformedHeaderBlock(String)
    case compression(ZlibError)
}
