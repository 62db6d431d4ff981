import DNS
import Testing

/// RFC 1035 §4.1.4 name compression, as the encoder applies it.
@Suite struct CompressionTests {
    /// The size of `message` with every name written in full.
    static func uncompressedSize(_ message: DNSMessage) -> Int {
        var size = DNSHeader.size + message.questions.reduce(0) { $0 + $1.name.wireLength + 4 }
        for record in message.answers + message.authorities + message.additionals {
            size += record.name.wireLength + 10
            switch record.data {
            case let .srv(_, _, _, target): size += 6 + target.wireLength
            case let .ns(name): size += name.wireLength
            case .a: size += 4
            default: Issue.record("no uncompressed size for \(record)")
            }
        }
        return size
    }

    @Test func namesSharingSvcClusterLocal_arePointersAndDecodeBack() throws {
        var message = Fixture.multiSection
        message.answers = (0..<10).map { DNSRecord(
            name: Fixture.srvName, ttl: 5, data: .srv(priority: 0, weight: 10, port: 8080, target: Fixture.pod($0))
        ) }
        message.additionals = (0..<10).map { Fixture.a(Fixture.pod($0), $0) }
        let bytes = try message.encoded()

        #expect(bytes.count < Self.uncompressedSize(message))
        // Every SRV owner points at the question name at offset 12.
        #expect(bytes.occurrences(of: [0xC0, 0x0C]) == 10)
        // SRV targets are written in full (RFC 2782), so each pod name appears as text...
        let fullTarget = Raw.name("web-3", "nginx", "default", "svc", "cluster", "local")
        let targetOffset = try #require(bytes.firstOffset(of: fullTarget))
        // ...and the A record for that pod is nothing but a pointer to it.
        #expect(bytes.occurrences(of: [0xC0 | UInt8(targetOffset >> 8), UInt8(targetOffset & 0xFF)]
            + Raw.record(type: 1, rdata: [127, 0, 0, 3])) == 1)
        #expect(try DNSMessage(decoding: bytes) == message)
    }

    @Test func sharedSuffix_isReusedAcrossDifferentNames() throws {
        let message = DNSMessage(
            header: DNSHeader(id: 1, isResponse: true),
            questions: [DNSQuestion(name: name("svc.cluster.local."), type: .ns)],
            answers: [DNSRecord(name: name("svc.cluster.local."), ttl: 5, data: .ns(name("ns.dns.cluster.local.")))]
        )
        let bytes = try message.encoded()
        // Question name at 12: 03 svc 07 cluster 05 local 00, so "cluster.local" starts at 16.
        // The NS data is "02 ns 03 dns" and a pointer to it.
        #expect(bytes.suffix(11) == [0, 9, 2, 0x6E, 0x73, 3, 0x64, 0x6E, 0x73, 0xC0, 16])
        #expect(try DNSMessage(decoding: bytes) == message)
    }

    @Test func letterCase_isPreservedThroughCompression() throws {
        let query = DNSQuestion(name: name("WeB-0.NgInX.default.svc.cluster.local."), type: .a)
        let message = DNSMessage(
            header: DNSHeader(id: 1, isResponse: true),
            questions: [query],
            answers: [Fixture.a(Fixture.pod(0), 1), Fixture.a(query.name, 1)]
        )
        let decoded = try DNSMessage(decoding: message.encoded())
        #expect(decoded == message)
        #expect(decoded.answers[0].name.equalsIgnoringCase(decoded.answers[1].name))
        #expect(decoded.answers[0].name != decoded.answers[1].name)
    }

    @Test func pointers_neverTargetOffsetsBeyond0x3FFF() throws {
        let filler = DNSRecord(
            name: Fixture.service, ttl: 5,
            data: .unknown(type: DNSRecordType(rawValue: 99), rdata: [UInt8](repeating: 0xAA, count: 0x4000))
        )
        let late = name("late.example.")
        let message = DNSMessage(
            header: DNSHeader(id: 1, isResponse: true),
            answers: [filler, Fixture.a(late, 1), Fixture.a(late, 2)]
        )
        let bytes = try message.encoded()
        // Past 0x4000 nothing can be pointed at, so both owner names are written in full.
        #expect(bytes.occurrences(of: Raw.name("late", "example")) == 2)
        #expect(try DNSMessage(decoding: bytes) == message)
    }
}

extension Array where Element == UInt8 {
    func firstOffset(of needle: [UInt8]) -> Int? {
        guard needle.count <= count else { return nil }
        return (0...(count - needle.count)).first { self[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    func occurrences(of needle: [UInt8]) -> Int {
        guard needle.count <= count else { return 0 }
        return (0...(count - needle.count)).count { self[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
