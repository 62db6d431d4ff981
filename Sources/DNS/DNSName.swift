/// A domain name as a sequence of labels (RFC 1035 §3.1), always valid: every label is
/// 1...63 bytes and the wire form is at most 255 bytes.
///
/// Labels are raw bytes, not text, because DNS labels may hold any byte and the letter case
/// of a query must be echoed exactly. `==` therefore compares bytes, case included; name
/// matching, which is case-insensitive for ASCII (RFC 4343), goes through
/// ``equalsIgnoringCase(_:)``, ``isSubdomain(of:)`` or ``lowercased()``.
package struct DNSName: Hashable, Sendable {
    /// RFC 1035 §2.3.4: the length octets plus the labels, including the root's zero.
    package static let maxWireLength = 255
    /// RFC 1035 §2.3.4.
    package static let maxLabelLength = 63

    /// The labels from the leftmost (most specific) to the last before the root.
    package let labels: [[UInt8]]

    /// The root name `.`, which has no labels.
    package static let root = DNSName(validatedLabels: [])

    /// - Throws: ``DNSNameError`` when a label is empty or longer than 63 bytes, or the name
    ///   is longer than 255 bytes on the wire.
    package init(labels: [[UInt8]]) throws(DNSNameError) {
        var wireLength = 1
        for label in labels {
            guard !label.isEmpty else { throw .emptyLabel }
            guard label.count <= Self.maxLabelLength else { throw .labelTooLong(label.count) }
            wireLength += 1 + label.count
        }
        guard wireLength <= Self.maxWireLength else { throw .nameTooLong(wireLength) }
        self.labels = labels
    }

    /// For labels the caller has already checked, such as the decoder's.
    init(validatedLabels labels: [[UInt8]]) {
        self.labels = labels
    }

    /// The length of the uncompressed wire form: a length byte per label, the labels, and
    /// the root's zero byte.
    package var wireLength: Int {
        labels.reduce(1) { $0 + 1 + $1.count }
    }

    package var isRoot: Bool {
        labels.isEmpty
    }

    /// The name with ASCII letters folded to lower case, for use as a lookup key.
    package func lowercased() -> DNSName {
        DNSName(validatedLabels: labels.map { $0.map(Self.asciiLowercase) })
    }

    /// Compares names as DNS does: ASCII letters without regard to case, other bytes exactly
    /// (RFC 4343 §3).
    package func equalsIgnoringCase(_ other: DNSName) -> Bool {
        labels.count == other.labels.count && zip(labels, other.labels).allSatisfy(Self.labelsMatch)
    }

    /// Whether this name is `ancestor` or lies below it, ignoring ASCII case; every name is a
    /// subdomain of the root.
    package func isSubdomain(of ancestor: DNSName) -> Bool {
        guard labels.count >= ancestor.labels.count else { return false }
        return zip(labels.suffix(ancestor.labels.count), ancestor.labels).allSatisfy(Self.labelsMatch)
    }

    private static func labelsMatch(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        left.count == right.count && zip(left, right).allSatisfy { asciiLowercase($0) == asciiLowercase($1) }
    }

    private static func asciiLowercase(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
}

/// Why a name could not be built from labels or parsed from text.
package enum DNSNameError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Two dots in a row, a leading dot, or empty text (the root is written `.`).
    case emptyLabel
    /// A label of more than 63 bytes; the associated value is its length.
    case labelTooLong(Int)
    /// A name of more than 255 bytes on the wire; the associated value is that length.
    case nameTooLong(Int)
    /// A backslash not followed by a character or by three decimal digits up to 255.
    case invalidEscape

    package var description: String {
        switch self {
        case .emptyLabel: "empty label"
        case let .labelTooLong(length): "label of \(length) bytes (at most 63)"
        case let .nameTooLong(length): "name of \(length) bytes on the wire (at most 255)"
        case .invalidEscape: "invalid backslash escape"
        }
    }
}
