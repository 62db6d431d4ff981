/// The kind of query in a header (RFC 1035 §4.1.1, RFC 1996, RFC 2136): a 4-bit field.
///
/// A struct rather than an enum so that an opcode this server does not implement still
/// decodes, and is answered NOTIMP instead of being rejected as malformed.
package struct DNSOpcode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    package let rawValue: UInt8

    /// - Returns: `nil` when `rawValue` does not fit the header's four bits.
    package init?(rawValue: UInt8) {
        guard rawValue < 16 else { return nil }
        self.rawValue = rawValue
    }

    /// The low four bits of `fourBits`, as the header carries them.
    init(fourBits: UInt8) {
        rawValue = fourBits & 0x0F
    }

    package static let query = DNSOpcode(fourBits: 0)
    package static let inverseQuery = DNSOpcode(fourBits: 1)
    package static let status = DNSOpcode(fourBits: 2)
    package static let notify = DNSOpcode(fourBits: 4)
    package static let update = DNSOpcode(fourBits: 5)

    package var description: String {
        switch self {
        case .query: "QUERY"
        case .inverseQuery: "IQUERY"
        case .status: "STATUS"
        case .notify: "NOTIFY"
        case .update: "UPDATE"
        default: "OPCODE\(rawValue)"
        }
    }
}

/// The outcome of a query, as the low four bits of the header's RCODE (RFC 1035 §4.1.1).
///
/// Values above 15 exist only with EDNS0, split between this field and
/// ``EDNS/extendedRcode`` (RFC 6891 §6.1.3).
package struct DNSRcode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    package let rawValue: UInt8

    /// - Returns: `nil` when `rawValue` does not fit the header's four bits.
    package init?(rawValue: UInt8) {
        guard rawValue < 16 else { return nil }
        self.rawValue = rawValue
    }

    /// The low four bits of `fourBits`, as the header carries them.
    init(fourBits: UInt8) {
        rawValue = fourBits & 0x0F
    }

    package static let noError = DNSRcode(fourBits: 0)
    /// The server could not interpret the query.
    package static let formErr = DNSRcode(fourBits: 1)
    /// The server failed to answer (for example, it has no usable state yet).
    package static let servFail = DNSRcode(fourBits: 2)
    /// The name does not exist in a zone this server is authoritative for.
    package static let nxDomain = DNSRcode(fourBits: 3)
    /// The server does not implement this kind of query (opcode).
    package static let notImp = DNSRcode(fourBits: 4)
    /// The server will not answer, for example for a name outside its zones.
    package static let refused = DNSRcode(fourBits: 5)

    package var description: String {
        switch self {
        case .noError: "NOERROR"
        case .formErr: "FORMERR"
        case .servFail: "SERVFAIL"
        case .nxDomain: "NXDOMAIN"
        case .notImp: "NOTIMP"
        case .refused: "REFUSED"
        default: "RCODE\(rawValue)"
        }
    }
}
