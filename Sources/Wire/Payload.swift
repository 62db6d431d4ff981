extension Wire {
    /// One message as the wire carries it: the kind a service registered for it (the
    /// protobuf field number it travels under) and its serialized bytes.
    ///
    /// A frame's plaintext body is the protobuf encoding of
    ///
    /// ```
    /// message PeerFrame {
    ///   uint32 version = 1;          // Wire.protocolVersion
    ///   bytes  <kind>  = <kind>;     // exactly one, kind >= Wire.firstKind
    /// }
    /// ```
    ///
    /// Fields below ``firstKind`` belong to the frame itself: `version`, the rest reserved
    /// and skipped when unknown, as protobuf skips unknown fields. Because a message field
    /// and a bytes field are encoded alike, this is byte for byte the `oneof` of message
    /// kinds the agent spoke before its services registered their kinds.
    package struct Payload: Hashable, Sendable {
        package var kind: UInt32
        package var bytes: [UInt8]

        package init(kind: UInt32, bytes: [UInt8]) {
            precondition(kind >= Wire.firstKind && kind <= Wire.lastKind, "message kinds are \(Wire.firstKind)...\(Wire.lastKind), got \(kind)")
            self.kind = kind
            self.bytes = bytes
        }

        /// The plaintext frame body: the version, then the message under its kind.
        package func encoded() -> [UInt8] {
            var body: [UInt8] = []
            body.reserveCapacity(bytes.count + 16)
            Self.appendVarint(UInt64(1 << 3), to: &body)
            Self.appendVarint(UInt64(Wire.protocolVersion), to: &body)
            Self.appendVarint(UInt64(kind) << 3 | 2, to: &body)
            Self.appendVarint(UInt64(bytes.count), to: &body)
            body += bytes
            return body
        }

        /// Parses a plaintext frame body, treating it as hostile: a truncated or malformed
        /// field, a group, a field number of 0, a second message or a version other than
        /// ``Wire/protocolVersion`` is refused.
        package static func decode(_ body: [UInt8]) throws(Wire.DecodeError) -> Payload {
            var reader = Reader(bytes: body)
            var version: UInt64 = 0
            var payload: Payload?
            while !reader.atEnd {
                let tag = try reader.varint()
                let (number, wireType) = (tag >> 3, tag & 7)
                guard number > 0, number <= UInt64(Wire.lastKind) else { throw .unparseable(reason: "field number \(number)") }
                switch (wireType, number) {
                case (0, 1):
                    version = try reader.varint()
                case (2, UInt64(Wire.firstKind)...):
                    let bytes = try reader.lengthDelimited()
                    guard payload == nil else { throw .invalidField(path: "body", reason: "more than one message") }
                    payload = Payload(kind: UInt32(number), bytes: bytes)
                default:
                    try reader.skip(wireType: wireType)
                }
            }
            guard version == UInt64(Wire.protocolVersion) else { throw .unsupportedVersion(UInt32(truncatingIfNeeded: version)) }
            guard let payload else { throw .missingBody(path: "body") }
            return payload
        }

        private static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
            var value = value
            while value >= 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
                value >>= 7
            }
            bytes.append(UInt8(value))
        }

        /// Protobuf's wire format, as far as a frame needs it.
        private struct Reader {
            let bytes: [UInt8]
            var offset = 0

            var atEnd: Bool { offset == bytes.count }

            mutating func varint() throws(Wire.DecodeError) -> UInt64 {
                var value: UInt64 = 0
                for shift in stride(from: 0, to: 64, by: 7) {
                    guard offset < bytes.count else { throw .unparseable(reason: "truncated varint") }
                    let byte = bytes[offset]
                    offset += 1
                    value |= UInt64(byte & 0x7F) << UInt64(shift)
                    if byte < 0x80 { return value }
                }
                throw .unparseable(reason: "varint longer than 10 bytes")
            }

            mutating func lengthDelimited() throws(Wire.DecodeError) -> [UInt8] {
                let length = try varint()
                guard length <= UInt64(bytes.count - offset) else { throw .unparseable(reason: "field length \(length) past the end") }
                defer { offset += Int(length) }
                return Array(bytes[offset ..< offset + Int(length)])
            }

            mutating func skip(wireType: UInt64) throws(Wire.DecodeError) {
                switch wireType {
                case 0: _ = try varint()
                case 1: try advance(8)
                case 2: _ = try lengthDelimited()
                case 5: try advance(4)
                default: throw .unparseable(reason: "wire type \(wireType)")
                }
            }

            private mutating func advance(_ count: Int) throws(Wire.DecodeError) {
                guard count <= bytes.count - offset else { throw .unparseable(reason: "truncated field") }
                offset += count
            }
        }
    }
}
