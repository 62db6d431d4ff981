/// The presentation format of names (RFC 1035 §5.1): dot-separated labels, with `\c` for a
/// literal character and `\DDD` for any byte as three decimal digits. It is how names appear
/// in configuration, logs and `dig` output.
extension DNSName: CustomStringConvertible {
    /// Parses a name such as `web-0.nginx.default.svc.cluster.local.`; the trailing dot is
    /// optional, since every name Ordinal handles is absolute. `.` is the root.
    /// - Throws: ``DNSNameError`` for empty text, an empty label, a bad escape, a label over
    ///   63 bytes or a name over 255 bytes on the wire.
    package init(_ text: String) throws(DNSNameError) {
        let bytes = Array(text.utf8)
        guard bytes != [UInt8(ascii: ".")] else {
            self = .root
            return
        }
        var labels: [[UInt8]] = []
        var label: [UInt8] = []
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "."):
                guard !label.isEmpty else { throw .emptyLabel }
                labels.append(label)
                label = []
                index += 1
            case UInt8(ascii: "\\"):
                let (byte, length) = try Self.unescape(bytes, at: index + 1)
                label.append(byte)
                index += 1 + length
            default:
                label.append(bytes[index])
                index += 1
            }
        }
        if !label.isEmpty {
            labels.append(label)
        } else if labels.isEmpty {
            throw .emptyLabel
        }
        try self.init(labels: labels)
    }

    /// The absolute presentation form with its trailing dot, escaping what `dig` escapes.
    package var description: String {
        guard !isRoot else { return "." }
        var text: [UInt8] = []
        text.reserveCapacity(wireLength)
        for label in labels {
            for byte in label {
                Self.appendEscaped(byte, to: &text)
            }
            text.append(UInt8(ascii: "."))
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The byte an escape stands for and how many bytes after the backslash it used.
    private static func unescape(_ bytes: [UInt8], at index: Int) throws(DNSNameError) -> (UInt8, Int) {
        guard index < bytes.count else { throw .invalidEscape }
        guard isDigit(bytes[index]) else { return (bytes[index], 1) }
        guard index + 2 < bytes.count else { throw .invalidEscape }
        var value = 0
        for digit in bytes[index...(index + 2)] {
            guard isDigit(digit) else { throw .invalidEscape }
            value = value * 10 + Int(digit - UInt8(ascii: "0"))
        }
        guard let byte = UInt8(exactly: value) else { throw .invalidEscape }
        return (byte, 3)
    }

    private static func appendEscaped(_ byte: UInt8, to text: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "."), UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "("), UInt8(ascii: ")"),
             UInt8(ascii: ";"), UInt8(ascii: "@"), UInt8(ascii: "$"):
            text.append(UInt8(ascii: "\\"))
            text.append(byte)
        case 0x21...0x7E:
            text.append(byte)
        default:
            text.append(UInt8(ascii: "\\"))
            for divisor: UInt8 in [100, 10, 1] {
                text.append(UInt8(ascii: "0") + byte / divisor % 10)
            }
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
