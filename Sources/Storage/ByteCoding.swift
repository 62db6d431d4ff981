/// Why bytes did not decode: where, and what was expected there. Decoding never traps on
/// untrusted input (conventions §8.5.7); it throws this.
package struct KVCodingError: Error, Hashable, Sendable, CustomStringConvertible {
    package var offset: Int
    package var reason: String

    package init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    package var description: String { "at byte \(offset): \(reason)" }
}

/// Appends big-endian integers and length-prefixed fields.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    mutating func write(_ byte: UInt8) { bytes.append(byte) }

    mutating func write(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> shift)) }
    }

    mutating func write(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> shift)) }
    }

    /// A `UInt32` length, then the bytes.
    mutating func writeField(_ field: some Collection<UInt8>) {
        write(UInt32(field.count))
        bytes.append(contentsOf: field)
    }
}

/// Reads what ``ByteWriter`` wrote, checking every length against the bytes that remain.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func readByte() throws(KVCodingError) -> UInt8 {
        guard offset < bytes.count else { throw KVCodingError(offset: offset, reason: "truncated: expected 1 byte") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt32() throws(KVCodingError) -> UInt32 {
        UInt32(truncatingIfNeeded: try readInteger(width: 4))
    }

    mutating func readUInt64() throws(KVCodingError) -> UInt64 {
        try readInteger(width: 8)
    }

    mutating func readField() throws(KVCodingError) -> [UInt8] {
        let start = offset
        let count = Int(try readUInt32())
        guard count <= bytes.count - offset else {
            throw KVCodingError(offset: start, reason: "field of \(count) bytes but only \(bytes.count - offset) remain")
        }
        defer { offset += count }
        return Array(bytes[offset ..< offset + count])
    }

    mutating func readString() throws(KVCodingError) -> String {
        let start = offset
        let field = try readField()
        guard let text = String(validating: field, as: UTF8.self) else {
            throw KVCodingError(offset: start, reason: "string is not valid UTF-8")
        }
        return text
    }

    func expectEnd() throws(KVCodingError) {
        guard isAtEnd else { throw KVCodingError(offset: offset, reason: "\(bytes.count - offset) trailing bytes") }
    }

    private mutating func readInteger(width: Int) throws(KVCodingError) -> UInt64 {
        guard width <= bytes.count - offset else {
            throw KVCodingError(offset: offset, reason: "truncated: expected \(width) bytes, \(bytes.count - offset) remain")
        }
        var value: UInt64 = 0
        for byte in bytes[offset ..< offset + width] { value = value << 8 | UInt64(byte) }
        offset += width
        return value
    }
}
