/// Incremental SPDY/3 frame decoder: feed it bytes as they arrive, pull whole frames out.
///
/// Hard limits keep a hostile peer from costing memory or a crash: frames longer than
/// `maxFrameLength` and header blocks that inflate past `maxHeaderBlockLength` are errors,
/// as are versions other than 3 and control frames of impossible sizes. Unknown control
/// frame types are skipped, as SPDY/3 requires. After an error the decoder stays failed.
public struct SPDYFrameDecoder {
    public static let defaultMaxFrameLength = 1 << 20
    public static let defaultMaxHeaderBlockLength = 64 << 10

    public let maxFrameLength: Int
    public let maxHeaderBlockLength: Int
    private var buffer: [UInt8] = []
    private var readIndex = 0
    private let inflater: ZlibInflater
    private var failure: SPDYError?

    public init(
        maxFrameLength: Int = defaultMaxFrameLength,
        maxHeaderBlockLength: Int = defaultMaxHeaderBlockLength
    ) throws(SPDYError) {
        self.maxFrameLength = maxFrameLength
        self.maxHeaderBlockLength = maxHeaderBlockLength
        do {
            inflater = try ZlibInflater(dictionary: SPDYDictionary.bytes)
        } catch {
            throw .compression(error)
        }
    }

    /// Bytes received but not yet consumed by a whole frame.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        buffer.append(contentsOf: bytes)
    }

    /// The next whole frame, or nil when more bytes are needed.
    public mutating func nextFrame() throws(SPDYError) -> SPDYFrame? {
        if let failure { throw failure }
        do throws(SPDYError) {
            while true {
                guard bufferedByteCount >= SPDYWire.headerLength else { return nil }
                let head = readIndex
                let word0 = BigEndian.uint32(buffer, at: head)
                let flags = buffer[head + 4]
                let length = Int(buffer[head + 5]) << 16 | Int(buffer[head + 6]) << 8 | Int(buffer[head + 7])
                let isControl = word0 & 0x8000_0000 != 0
                if isControl {
                    let version = UInt16(truncatingIfNeeded: word0 >> 16) & 0x7fff
                    guard version == SPDYWire.version else { throw .unsupportedVersion(version) }
                }
                guard length <= maxFrameLength else {
                    throw .frameTooLarge(length: length, limit: maxFrameLength)
                }
                guard bufferedByteCount >= SPDYWire.headerLength + length else { return nil }
                let bodyStart = head + SPDYWire.headerLength
                let body = Array(buffer[bodyStart..<bodyStart + length])
                readIndex = bodyStart + length
                compact()
                if !isControl {
                    let streamID = word0 & SPDYWire.streamIDMask
                    guard streamID != 0 else { throw .zeroStreamID }
                    return .data(streamID: streamID, payload: body, fin: flags & SPDYWire.flagFin != 0)
                }
                let type = UInt16(truncatingIfNeeded: word0)
                if let frame = try control(type: type, flags: flags, body: body) { return frame }
                // Unknown control type: skipped; look at the next frame.
            }
        } catch {
            failure = error
            throw error
        }
    }

    /// Drops consumed bytes once they dominate the buffer, keeping appends amortised O(1).
    private mutating func compact() {
        if readIndex > 4096 && readIndex * 2 > buffer.count {
            buffer.removeFirst(readIndex)
            readIndex = 0
        } else if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        }
    }

    private func require(_ ok: Bool, _ type: UInt16, _ body: [UInt8]) throws(SPDYError) {
        if !ok { throw .invalidControlFrame(type: type, length: body.count) }
    }

    private func streamID(_ body: [UInt8], at offset: Int = 0) throws(SPDYError) -> UInt32 {
        let id = BigEndian.uint32(body, at: offset) & SPDYWire.streamIDMask
        guard id != 0 else { throw .zeroStreamID }
        return id
    }

    private func headerBlock(_ compressed: ArraySlice<UInt8>) throws(SPDYError) -> SPDYHeaders {
        let plain: [UInt8]
        do {
            plain = try inflater.decompress(Array(compressed), limit: maxHeaderBlockLength)
        } catch .outputTooLarge(let limit) {
            throw .headerBlockTooLarge(limit: limit)
        } catch {
            throw .compression(error)
        }
        return try SPDYHeaderBlock.decode(plain)
    }

    private func control(type: UInt16, flags: UInt8, body: [UInt8]) throws(SPDYError) -> SPDYFrame? {
        let fin = flags & SPDYWire.flagFin != 0
        switch type {
        case SPDYWire.synStream:
            try require(body.count >= 10, type, body)
            return .synStream(SPDYSynStream(
                streamID: try streamID(body),
                associatedStreamID: BigEndian.uint32(body, at: 4) & SPDYWire.streamIDMask,
                priority: body[8] >> 5,
                slot: body[9],
                headers: try headerBlock(body[10...]),
                fin: fin,
                unidirectional: flags & SPDYWire.flagUnidirectional != 0
            ))
        case SPDYWire.synReply:
            try require(body.count >= 4, type, body)
            return .synReply(streamID: try streamID(body), headers: try headerBlock(body[4...]), fin: fin)
        case SPDYWire.rstStream:
            try require(body.count == 8, type, body)
            return .rstStream(streamID: try streamID(body), status: SPDYResetStatus(code: BigEndian.uint32(body, at: 4)))
        case SPDYWire.settings:
            try require(body.count >= 4, type, body)
            let count = Int(BigEndian.uint32(body, at: 0))
            try require(count <= (body.count - 4) / 8 && body.count == 4 + count * 8, type, body)
            var entries: [SPDYSetting] = []
            for index in 0..<count {
                let at = 4 + index * 8
                let word = BigEndian.uint32(body, at: at)
                entries.append(SPDYSetting(
                    flags: UInt8(word >> 24), id: word & 0x00ff_ffff, value: BigEndian.uint32(body, at: at + 4)))
            }
            return .settings(clearPersisted: flags & SPDYWire.flagClearSettings != 0, entries: entries)
        case SPDYWire.ping:
            try require(body.count == 4, type, body)
            return .ping(id: BigEndian.uint32(body, at: 0))
        case SPDYWire.goAway:
            // SPDY/3 adds a status word; accept the 4-byte SPDY/2 shape too.
            try require(body.count == 8 || body.count == 4, type, body)
            return .goAway(
                lastGoodStreamID: BigEndian.uint32(body, at: 0) & SPDYWire.streamIDMask,
                status: body.count == 8 ? BigEndian.uint32(body, at: 4) : 0)
        case SPDYWire.headers:
            try require(body.count >= 4, type, body)
            return .headers(streamID: try streamID(body), headers: try headerBlock(body[4...]), fin: fin)
        case SPDYWire.windowUpdate:
            try require(body.count == 8, type, body)
            return .windowUpdate(streamID: BigEndian.uint32(body, at: 0) & SPDYWire.streamIDMask,
                                 delta: BigEndian.uint32(body, at: 4) & SPDYWire.streamIDMask)
        default:
            return nil
        }
    }
}
