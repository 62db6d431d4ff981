/// A TYPE or QTYPE code (RFC 1035 §3.2.2, §3.2.3).
///
/// A struct with static constants rather than an enum: any 16-bit value must decode and
/// re-encode unchanged (RFC 3597), and a query for a type the zone does not model must
/// still be answerable.
package struct DNSRecordType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    package let rawValue: UInt16

    package init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    package static let a = DNSRecordType(rawValue: 1)
    package static let ns = DNSRecordType(rawValue: 2)
    package static let cname = DNSRecordType(rawValue: 5)
    package static let soa = DNSRecordType(rawValue: 6)
    package static let ptr = DNSRecordType(rawValue: 12)
    package static let txt = DNSRecordType(rawValue: 16)
    /// RFC 3596.
    package static let aaaa = DNSRecordType(rawValue: 28)
    /// RFC 2782.
    package static let srv = DNSRecordType(rawValue: 33)
    /// The EDNS0 pseudo-record (RFC 6891 §6.1.1).
    package static let opt = DNSRecordType(rawValue: 41)
    /// QTYPE `*`: every type the name has (RFC 1035 §3.2.3; RFC 8482 allows a subset).
    package static let any = DNSRecordType(rawValue: 255)

    /// The mnemonic, or `TYPEnnn` for the rest (RFC 3597 §5).
    package var description: String {
        switch self {
        case .a: "A"
        case .ns: "NS"
        case .cname: "CNAME"
        case .soa: "SOA"
        case .ptr: "PTR"
        case .txt: "TXT"
        case .aaaa: "AAAA"
        case .srv: "SRV"
        case .opt: "OPT"
        case .any: "ANY"
        default: "TYPE\(rawValue)"
        }
    }
}

/// A CLASS or QCLASS code (RFC 1035 §3.2.4, §3.2.5). The OPT record reuses the field for
/// the sender's UDP payload size (RFC 6891 §6.1.2), which is why any value must survive.
package struct DNSClass: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    package let rawValue: UInt16

    package init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// The Internet.
    package static let `in` = DNSClass(rawValue: 1)
    /// Chaosnet, used today only for server identity queries (`version.bind CH TXT`).
    package static let chaos = DNSClass(rawValue: 3)
    /// QCLASS `*`.
    package static let any = DNSClass(rawValue: 255)

    /// The mnemonic, or `CLASSnnn` for the rest (RFC 3597 §5).
    package var description: String {
        switch self {
        case .in: "IN"
        case .chaos: "CH"
        case .any: "ANY"
        default: "CLASS\(rawValue)"
        }
    }
}
