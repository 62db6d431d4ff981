import Testing
import DNS

/// Parses a name written in a test. Literals are valid by construction, so a typo stops the
/// run at once instead of surfacing as a confusing failure elsewhere.
func name(_ text: String) -> DNSName {
    do {
        return try DNSName(text)
    } catch {
        fatalError("invalid test name \(text): \(error)")
    }
}

/// Messages and records shaped like the ones Ordinal's zone serves (design §7).
enum Fixture {
    static let service = name("nginx.default.svc.cluster.local.")
    static let srvName = name("_http._tcp.nginx.default.svc.cluster.local.")

    static func pod(_ ordinal: Int) -> DNSName {
        name("web-\(ordinal).nginx.default.svc.cluster.local.")
    }

    static func a(_ owner: DNSName, _ last: Int) -> DNSRecord {
        DNSRecord(name: owner, ttl: 5, data: .a(DNSIPv4Address(127, 0, UInt8(last / 256), UInt8(last % 256))))
    }

    static let soa = DNSRecord(
        name: name("cluster.local."), ttl: 5,
        data: .soa(
            mname: name("ns.dns.cluster.local."), rname: name("hostmaster.cluster.local."),
            serial: 2_024_061_501, refresh: 7200, retry: 1800, expire: 86400, minimum: 5
        )
    )

    static let edns = EDNS(
        udpPayloadSize: 1232, dnssecOK: true,
        options: [EDNSOption(code: EDNSOption.cookieCode, data: [1, 2, 3, 4, 5, 6, 7, 8])]
    )

    /// One record of every kind the codec models, and some it keeps opaque.
    static let everyRecord: [RecordCase] = [
        RecordCase("A", a(pod(0), 5)),
        RecordCase("AAAA", DNSRecord(
            name: pod(0), ttl: 5,
            data: .aaaa(DNSIPv6Address(bytes: [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [1])!)
        )),
        RecordCase("SRV", DNSRecord(
            name: srvName, ttl: 5, data: .srv(priority: 0, weight: 50, port: 8080, target: pod(0))
        )),
        RecordCase("PTR", DNSRecord(name: name("5.1.0.127.in-addr.arpa."), ttl: 5, data: .ptr(pod(0)))),
        RecordCase("SOA", soa),
        RecordCase("NS", DNSRecord(name: name("cluster.local."), ttl: 5, data: .ns(name("ns.dns.cluster.local.")))),
        RecordCase("CNAME", DNSRecord(name: name("www.cluster.local."), ttl: 5, data: .cname(service))),
        RecordCase("TXT", DNSRecord(
            name: service, ttl: 5, data: .txt([Array("v=1".utf8), [], [UInt8](repeating: 0x61, count: 255)])
        )),
        RecordCase("TXT without strings", DNSRecord(name: service, ttl: 5, data: .txt([]))),
        RecordCase("OPT", edns.record),
        RecordCase("OPT without options", EDNS(udpPayloadSize: 512).record),
        RecordCase("unknown type (MX, opaque)", DNSRecord(
            name: service, ttl: 300, data: .unknown(type: DNSRecordType(rawValue: 15), rdata: [0, 10, 0])
        )),
        RecordCase("unknown type with empty RDATA", DNSRecord(
            name: service, ttl: 0, data: .unknown(type: DNSRecordType(rawValue: 65280), rdata: [])
        )),
        RecordCase("A in class CH stays opaque", DNSRecord(
            name: service, class: .chaos, ttl: 0, data: .unknown(type: .a, rdata: [0x01, 0x02])
        )),
    ]

    /// A response with every section filled, as for an SRV lookup of a headless service.
    static let multiSection = DNSMessage(
        header: DNSHeader(
            id: 0xBEEF, isResponse: true, isAuthoritative: true, recursionDesired: true, rcode: .noError
        ),
        questions: [DNSQuestion(name: srvName, type: .srv)],
        answers: (0..<3).map { DNSRecord(
            name: srvName, ttl: 5, data: .srv(priority: 0, weight: 33, port: 8080, target: pod($0))
        ) },
        authorities: [DNSRecord(name: name("cluster.local."), ttl: 5, data: .ns(name("ns.dns.cluster.local.")))],
        additionals: (0..<3).map { a(pod($0), $0 + 1) } + [edns.record]
    )

    /// A headless-service answer of `count` A records behind one question.
    static func serviceAnswer(count: Int, edns: EDNS? = nil) -> DNSMessage {
        var message = DNSMessage(
            header: DNSHeader(id: 7, isResponse: true, isAuthoritative: true),
            questions: [DNSQuestion(name: service, type: .a)],
            answers: (0..<count).map { a(service, $0) }
        )
        message.edns = edns
        return message
    }
}

/// A labelled record for table-driven tests.
struct RecordCase: Sendable, CustomTestStringConvertible {
    let label: String
    let record: DNSRecord

    init(_ label: String, _ record: DNSRecord) {
        self.label = label
        self.record = record
    }

    var testDescription: String {
        label
    }
}

/// Hand-assembled packet pieces, in the layout of RFC 1035 §4.1.
enum Raw {
    static func header(
        id: UInt16 = 0x1234, flags: UInt16 = 0, qd: UInt16 = 0, an: UInt16 = 0, ns: UInt16 = 0, ar: UInt16 = 0
    ) -> [UInt8] {
        [id, flags, qd, an, ns, ar].flatMap(u16)
    }

    static func u16(_ value: UInt16) -> [UInt8] {
        [UInt8(value >> 8), UInt8(value & 0xFF)]
    }

    static func u32(_ value: UInt32) -> [UInt8] {
        u16(UInt16(value >> 16)) + u16(UInt16(value & 0xFFFF))
    }

    /// An uncompressed name: each label with its length byte, then the root's zero.
    static func name(_ labels: String...) -> [UInt8] {
        labels.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } + [0]
    }

    /// A record's fixed fields after its name, and its RDATA.
    static func record(type: UInt16, class recordClass: UInt16 = 1, ttl: UInt32 = 5, rdata: [UInt8]) -> [UInt8] {
        u16(type) + u16(recordClass) + u32(ttl) + u16(UInt16(rdata.count)) + rdata
    }
}
