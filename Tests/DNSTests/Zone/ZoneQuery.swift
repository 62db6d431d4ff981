import ClusterState
import DNS
import Testing

/// The standard cluster, built once for the tests that only read it.
let standardCluster = Result { try ZoneCluster.standard() }

/// Queries as `dig` sends them, and readable summaries of what comes back.
enum ZoneQuery {
    static func message(
        _ name: DNSName, _ type: DNSRecordType, id: UInt16 = 0x5151, class questionClass: DNSClass = .in,
        opcode: DNSOpcode = .query, edns: EDNS? = nil
    ) -> DNSMessage {
        var message = DNSMessage(
            header: DNSHeader(id: id, opcode: opcode, recursionDesired: true),
            questions: [DNSQuestion(name: name, type: type, class: questionClass)]
        )
        message.edns = edns
        return message
    }

    /// One record as `dig +short` would show it, prefixed with its type.
    static func summary(_ record: DNSRecord) -> String {
        switch record.data {
        case let .a(address): "A \(address)"
        case let .srv(priority, weight, port, target): "SRV \(priority) \(weight) \(port) \(target)"
        case let .ptr(target): "PTR \(target)"
        case let .ns(target): "NS \(target)"
        case let .txt(strings): "TXT " + strings.map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
        case let .soa(mname, rname, serial, refresh, retry, expire, minimum):
            "SOA \(mname) \(rname) \(serial) \(refresh) \(retry) \(expire) \(minimum)"
        default: "\(record.type)"
        }
    }
}

extension ZoneCluster {
    /// Sends `query` through a responder over `transport` and decodes the reply.
    func ask(
        _ query: DNSMessage, transport: DNSTransport = .udp, settings: DNSZoneSettings = DNSZoneSettings(),
        serial: UInt32 = 1
    ) throws -> DNSMessage {
        let bytes = try query.encoded()
        let reply = try #require(DNSResponder(settings: settings).respond(to: bytes, transport: transport, index: index, serial: serial))
        return try DNSMessage(decoding: reply)
    }

    func ask(_ text: String, _ type: DNSRecordType, transport: DNSTransport = .udp, edns: EDNS? = nil) throws -> DNSMessage {
        try ask(ZoneQuery.message(name(text), type, edns: edns), transport: transport)
    }

    /// The A records the index holds at `text`, or nil when the name does not exist.
    func addresses(_ text: String) -> [String]? {
        index.lookup(DNSZoneKey(name(text)))?.addresses.map(\.description)
    }
}
