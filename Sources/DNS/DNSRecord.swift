/// A resource record (RFC 1035 §4.1.3): an owner name, a class, a TTL and typed data.
///
/// The TYPE is not stored but derived from ``data``, so a record cannot claim one type and
/// carry another's data.
package struct DNSRecord: Hashable, Sendable {
    package var name: DNSName
    /// For OPT, the sender's UDP payload size instead (RFC 6891 §6.1.2); see ``EDNS``.
    package var `class`: DNSClass
    /// Seconds the record may be cached. For OPT, the extended RCODE, version and flags
    /// instead (RFC 6891 §6.1.3); see ``EDNS``.
    package var ttl: UInt32
    package var data: DNSRecordData

    package init(name: DNSName, class: DNSClass = .in, ttl: UInt32, data: DNSRecordData) {
        self.name = name
        self.class = `class`
        self.ttl = ttl
        self.data = data
    }

    package var type: DNSRecordType {
        data.type
    }
}

/// The RDATA of a record, typed for the record types Ordinal serves and opaque for the rest.
package enum DNSRecordData: Hashable, Sendable {
    /// An IPv4 address (RFC 1035 §3.4.1).
    case a(DNSIPv4Address)
    /// An IPv6 address (RFC 3596 §2.2).
    case aaaa(DNSIPv6Address)
    /// An authoritative name server for the owner (RFC 1035 §3.3.11).
    case ns(DNSName)
    /// The canonical name the owner is an alias for (RFC 1035 §3.3.1).
    case cname(DNSName)
    /// The owner of a reverse-mapping name, such as `1.0.0.127.in-addr.arpa.` (RFC 1035 §3.3.12).
    case ptr(DNSName)
    /// The start of a zone of authority (RFC 1035 §3.3.13). `minimum` is the negative-caching
    /// TTL (RFC 2308 §4).
    case soa(
        mname: DNSName, rname: DNSName, serial: UInt32,
        refresh: UInt32, retry: UInt32, expire: UInt32, minimum: UInt32
    )
    /// Character-strings of at most 255 bytes each (RFC 1035 §3.3.14).
    case txt([[UInt8]])
    /// A service location (RFC 2782): clients try the lowest `priority` first and spread load
    /// by `weight` within it.
    case srv(priority: UInt16, weight: UInt16, port: UInt16, target: DNSName)
    /// The EDNS0 options of an OPT pseudo-record (RFC 6891 §6.1.2); the record's class and
    /// TTL carry the rest, see ``EDNS``.
    case opt([EDNSOption])
    /// Any other type, or a class-specific type outside class IN, kept byte for byte so it
    /// survives a round trip (RFC 3597).
    case unknown(type: DNSRecordType, rdata: [UInt8])

    package var type: DNSRecordType {
        switch self {
        case .a: .a
        case .aaaa: .aaaa
        case .ns: .ns
        case .cname: .cname
        case .ptr: .ptr
        case .soa: .soa
        case .txt: .txt
        case .srv: .srv
        case .opt: .opt
        case let .unknown(type, _): type
        }
    }
}
