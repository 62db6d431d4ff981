/// A cursor over a received packet that checks every index before it reads, so malformed
/// input becomes a ``DNSDecodeError`` and never a trap.
///
/// Sequential reads stop at ``limit``: the end of the packet, or the end of the RDATA being
/// decoded, in which case running past it is reported as ``endReason``.
struct ByteReader {
    /// RFC 1035 §2.3.4 caps a name at 255 bytes, so at most 127 labels; a well-formed name
    /// needs no more pointers than that.
    static let maxPointersPerName = 127

    let bytes: [UInt8]
    private(set) var offset = 0
    private(set) var limit: Int
    private var endReason = DNSDecodeError.Reason.truncated

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        limit = bytes.count
    }

    /// Bytes left before ``limit``.
    var remaining: Int {
        limit - offset
    }

    /// A reader over the next `length` bytes only, whose overruns are reported as `reason`.
    /// Compression pointers may still lead anywhere earlier in the packet.
    func narrowed(to length: Int, reason: DNSDecodeError.Reason) -> ByteReader {
        var copy = self
        copy.limit = offset + min(length, remaining)
        copy.endReason = reason
        return copy
    }

    mutating func skip(to newOffset: Int) {
        offset = min(max(newOffset, offset), limit)
    }

    func error(_ reason: DNSDecodeError.Reason, at offset: Int? = nil) -> DNSDecodeError {
        DNSDecodeError(offset: offset ?? self.offset, reason: reason)
    }

    mutating func readUInt8() throws(DNSDecodeError) -> UInt8 {
        guard offset < limit else { throw error(endReason) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt16() throws(DNSDecodeError) -> UInt16 {
        guard remaining >= 2 else { throw error(endReason) }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func readUInt32() throws(DNSDecodeError) -> UInt32 {
        guard remaining >= 4 else { throw error(endReason) }
        defer { offset += 4 }
        return (0..<4).reduce(0) { $0 << 8 | UInt32(bytes[offset + $1]) }
    }

    mutating func readBytes(_ count: Int) throws(DNSDecodeError) -> [UInt8] {
        guard count >= 0, remaining >= count else { throw error(endReason) }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    /// Reads a possibly compressed name (RFC 1035 §4.1.4).
    ///
    /// Each pointer must lead strictly before the start of the run of labels that contains
    /// it. Runs thus start ever earlier, so no pointer chain can loop; the pointer count and
    /// the 255-byte cap bound the work per name.
    mutating func readName() throws(DNSDecodeError) -> DNSName {
        var labels: [[UInt8]] = []
        var wireLength = 1
        var position = offset
        var runStart = offset
        var pointers = 0
        // Where reading continues after the name: just past its first pointer, if any.
        var resumeAt: Int?
        while true {
            // Before the first pointer the name lies in the current field; after it, anywhere
            // earlier in the packet.
            let bound = resumeAt == nil ? limit : bytes.count
            let reason = resumeAt == nil ? endReason : .truncated
            guard position < bound else { throw error(reason, at: position) }
            let length = bytes[position]
            switch length & 0xC0 {
            case 0x00 where length == 0:
                offset = resumeAt ?? position + 1
                return DNSName(validatedLabels: labels)
            case 0x00:
                let start = position + 1
                let end = start + Int(length)
                guard end <= bound else { throw error(reason, at: position) }
                wireLength += 1 + Int(length)
                guard wireLength <= DNSName.maxWireLength else { throw error(.nameTooLong, at: position) }
                labels.append(Array(bytes[start..<end]))
                position = end
            case 0xC0:
                guard position + 1 < bound else { throw error(reason, at: position) }
                let target = Int(length & 0x3F) << 8 | Int(bytes[position + 1])
                guard target < bytes.count else { throw error(.pointerOutOfRange(target: target), at: position) }
                guard target < position else { throw error(.forwardPointer(target: target), at: position) }
                guard target < runStart else { throw error(.pointerLoop(target: target), at: position) }
                pointers += 1
                guard pointers <= Self.maxPointersPerName else { throw error(.tooManyPointers, at: position) }
                resumeAt = resumeAt ?? position + 2
                position = target
                runStart = target
            default:
                throw error(.reservedLabelType(length & 0xC0), at: position)
            }
        }
    }
}
