/// Network byte order helpers over plain byte arrays.
enum BigEndian {
    static func bytes(_ value: UInt32) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
         UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    static func append(_ value: UInt32, to out: inout [UInt8]) {
        out.append(contentsOf: bytes(value))
    }

    static func append24(_ value: UInt32, to out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: value >> 16))
        out.append(UInt8(truncatingIfNeeded: value >> 8))
        out.append(UInt8(truncatingIfNeeded: value))
    }

    /// Reads a 32-bit value at `offset`; the caller has checked the bounds.
    static func uint32<C: RandomAccessCollection>(_ bytes: C, at offset: C.Index) -> UInt32
    where C.Element == UInt8 {
        var value: UInt32 = 0
        var index = offset
        for _ in 0..<4 {
            value = value << 8 | UInt32(bytes[index])
            index = bytes.index(after: index)
        }
        return value
    }
}
