/// An IPv4 CIDR block (`127.128.3.0/24`) as a range of addresses: where a node's pod
/// addresses come from, and whether two nodes' blocks overlap.
package struct AddressBlock: Hashable, Sendable, CustomStringConvertible {
    package let range: ClosedRange<UInt32>

    package var base: UInt32 { range.lowerBound }
    package var size: Int { Int(range.upperBound - range.lowerBound) + 1 }

    package init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let address = IPv4.parse(String(parts[0])), let bits = UInt32(parts[1]), bits <= 32 else { return nil }
        let mask: UInt32 = bits == 0 ? 0 : ~0 << (32 - bits)
        range = (address & mask) ... (address & mask | ~mask)
    }

    package func overlaps(_ other: AddressBlock) -> Bool { range.overlaps(other.range) }

    /// `198.19.0.0/16`.
    package var description: String { IPv4.format(base) + "/\(32 - size.trailingZeroBitCount)" }

    /// Whether every address of the block is a loopback address (`127.0.0.0/8`).
    package var isLoopback: Bool { range.lowerBound >> 24 == 127 && range.upperBound >> 24 == 127 }
}

/// Dotted-quad IPv4 addresses as 32-bit numbers.
package enum IPv4 {
    package static func parse(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard let octet = UInt8(part) else { return nil }
            value = value << 8 | UInt32(octet)
        }
        return value
    }

    package static func format(_ value: UInt32) -> String {
        [24, 16, 8, 0].map { String(value >> UInt32($0) & 0xFF) }.joined(separator: ".")
    }
}
