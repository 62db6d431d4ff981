/// SPDY/3 frame encoder. Owns the connection's outbound header compression stream, so
/// frames must be encoded in the order they are written.
public struct SPDYFrameEncoder {
    /// The longest payload one data frame can carry (24-bit length).
    public static let maxDataLength = (1 << 24) - 1
    private let deflater: ZlibDeflater

    public init() throws(SPDYError) {
        do {
            deflater = try ZlibDeflater(dictionary: SPDYDictionary.bytes)
        } catch {
            throw .compression(error)
        }
    }

    /// Encodes one frame. Data payloads over `maxDataLength` are a programming error;
    /// callers split output into smaller chunks.
    public func encode(_ frame: SPDYFrame) throws(SPDYError) -> [UInt8] {
        switch frame {
        case .synStream(let syn):
            var body: [UInt8] = []
            BigEndian.append(syn.streamID & SPDYWire.streamIDMask, to: &body)
            BigEndian.append(syn.associatedStreamID & SPDYWire.streamIDMask, to: &body)
            body.append((syn.priority & 0x07) << 5)
            body.append(syn.slot)
            body += try compressed(syn.headers)
            var flags: UInt8 = syn.fin ? SPDYWire.flagFin : 0
            if syn.unidirectional { flags |= SPDYWire.flagUnidirectional }
            return control(SPDYWire.synStream, flags: flags, body: body)
        case .synReply(let id, let headers, let fin):
            return control(SPDYWire.synReply, flags: fin ? SPDYWire.flagFin : 0,
                           body: BigEndian.bytes(id & SPDYWire.streamIDMask) + (try compressed(headers)))
        case .rstStream(let id, let status):
            return control(SPDYWire.rstStream, flags: 0,
                           body: BigEndian.bytes(id & SPDYWire.streamIDMask) + BigEndian.bytes(status.code))
        case .settings(let clear, let entries):
            var body = BigEndian.bytes(UInt32(entries.count))
            for entry in entries {
                BigEndian.append(UInt32(entry.flags) << 24 | entry.id & 0x00ff_ffff, to: &body)
                BigEndian.append(entry.value, to: &body)
            }
            return control(SPDYWire.settings, flags: clear ? SPDYWire.flagClearSettings : 0, body: body)
        case .ping(let id):
            return control(SPDYWire.ping, flags: 0, body: BigEndian.bytes(id))
        case .goAway(let lastGood, let status):
            return control(SPDYWire.goAway, flags: 0,
                           body: BigEndian.bytes(lastGood & SPDYWire.streamIDMask) + BigEndian.bytes(status))
        case .headers(let id, let headers, let fin):
            return control(SPDYWire.headers, flags: fin ? SPDYWire.flagFin : 0,
                           body: BigEndian.bytes(id & SPDYWire.streamIDMask) + (try compressed(headers)))
        case .windowUpdate(let id, let delta):
            return control(SPDYWire.windowUpdate, flags: 0,
                           body: BigEndian.bytes(id & SPDYWire.streamIDMask) + BigEndian.bytes(delta & SPDYWire.streamIDMask))
        case .data(let id, let payload, let fin):
            precondition(payload.count <= Self.maxDataLength, "SPDY data frame payload too large")
            var out = BigEndian.bytes(id & SPDYWire.streamIDMask)
            out.append(fin ? SPDYWire.flagFin : 0)
            BigEndian.append24(UInt32(payload.count), to: &out)
            return out + payload
        }
    }

    private func compressed(_ headers: SPDYHeaders) throws(SPDYError) -> [UInt8] {
        do {
            return try deflater.compress(SPDYHeaderBlock.encode(headers))
        } catch {
            throw .compression(error)
        }
    }

    private func control(_ type: UInt16, flags: UInt8, body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(8 + body.count)
        out.append(0x80 | UInt8(SPDYWire.version >> 8))
        out.append(UInt8(truncatingIfNeeded: SPDYWire.version))
        out.append(UInt8(type >> 8))
        out.append(UInt8(truncatingIfNeeded: type))
        out.append(flags)
        BigEndian.append24(UInt32(body.count), to: &out)
        return out + body
    }
}
