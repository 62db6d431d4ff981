/// The RDATA of an A record: four bytes in network order (RFC 1035 §3.4.1).
///
/// A value type of exactly four bytes, so an A record can never carry the wrong length.
/// Named with the module's prefix so it cannot clash with address types in the shells.
package struct DNSIPv4Address: Hashable, Sendable, CustomStringConvertible {
    /// The address as a big-endian number: `10.0.0.1` is `0x0A00_0001`.
    package let value: UInt32

    package init(value: UInt32) {
        self.value = value
    }

    package init(_ first: UInt8, _ second: UInt8, _ third: UInt8, _ fourth: UInt8) {
        value = UInt32(first) << 24 | UInt32(second) << 16 | UInt32(third) << 8 | UInt32(fourth)
    }

    /// Parses dotted-quad text such as `127.0.1.5`.
    /// - Returns: `nil` unless the text is four decimal numbers of at most three digits,
    ///   each at most 255, separated by dots.
    package init?(parsing text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.utf8.count),
                  part.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
                  let byte = UInt8(part) else { return nil }
            value = value << 8 | UInt32(byte)
        }
        self.value = value
    }

    /// The four bytes in network order.
    package var bytes: [UInt8] {
        [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) }
    }

    package var description: String {
        bytes.map(String.init).joined(separator: ".")
    }
}

/// The RDATA of an AAAA record: sixteen bytes in network order (RFC 3596 §2.2).
package struct DNSIPv6Address: Hashable, Sendable, CustomStringConvertible {
    /// Always exactly 16 bytes.
    package let bytes: [UInt8]

    /// - Returns: `nil` unless `bytes` holds exactly 16 bytes.
    package init?(bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// The RFC 5952 text form: lower-case hex groups without leading zeros, and the longest
    /// run of two or more zero groups (the first on a tie) written as `::`.
    package var description: String {
        let groups = (0..<8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
        var best: Range<Int>?
        var start: Int?
        for index in 0...8 {
            if index < 8, groups[index] == 0 {
                start = start ?? index
            } else if let runStart = start {
                if index - runStart >= 2, index - runStart > (best?.count ?? 0) {
                    best = runStart..<index
                }
                start = nil
            }
        }
        let hex = { (range: Range<Int>) in range.map { String(groups[$0], radix: 16) }.joined(separator: ":") }
        guard let best else { return hex(0..<8) }
        return hex(0..<best.lowerBound) + "::" + hex(best.upperBound..<8)
    }
}
