import DNS
import Testing

/// Packets assembled byte by byte from RFC 1035 §4.1, shaped like what `dig` sends.
@Suite struct PacketDecodingTests {
    static let podName: [UInt8] = [
        0x05, 0x77, 0x65, 0x62, 0x2D, 0x30,             // "web-0"
        0x05, 0x6E, 0x67, 0x69, 0x6E, 0x78,             // "nginx"
        0x07, 0x64, 0x65, 0x66, 0x61, 0x75, 0x6C, 0x74, // "default"
        0x03, 0x73, 0x76, 0x63,                         // "svc"
        0x07, 0x63, 0x6C, 0x75, 0x73, 0x74, 0x65, 0x72, // "cluster"
        0x05, 0x6C, 0x6F, 0x63, 0x61, 0x6C,             // "local"
        0x00,                                           // root
    ]

    /// `dig @x -p 1 web-0.nginx.default.svc.cluster.local A +noedns`
    static let plainQuery: [UInt8] = [
        0x1D, 0x2C,             // ID
        0x01, 0x20,             // QR=0 Opcode=QUERY RD=1, AD=1 (dig's defaults)
        0x00, 0x01,             // QDCOUNT
        0x00, 0x00,             // ANCOUNT
        0x00, 0x00,             // NSCOUNT
        0x00, 0x00,             // ARCOUNT
    ] + podName + [
        0x00, 0x01,             // QTYPE A
        0x00, 0x01,             // QCLASS IN
    ]

    static let cookie: [UInt8] = [0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6, 0x07, 0x18]

    /// The same query as `dig` sends it by default: EDNS0 with a 1232-byte buffer and a cookie.
    static let ednsQuery: [UInt8] = Array(plainQuery[0..<10]) + [0x00, 0x01] + Array(plainQuery[12...]) + [
        0x00,                   // owner: root
        0x00, 0x29,             // TYPE OPT (41)
        0x04, 0xD0,             // CLASS: UDP payload size 1232
        0x00, 0x00, 0x00, 0x00, // TTL: extended RCODE 0, version 0, DO=0, Z=0
        0x00, 0x0C,             // RDLENGTH 12
        0x00, 0x0A, 0x00, 0x08, // option COOKIE (10), length 8
    ] + cookie

    /// An authoritative answer whose owner name is a pointer to the question (0xC00C).
    static let answer: [UInt8] = [
        0x1D, 0x2C,             // ID
        0x85, 0x00,             // QR=1 AA=1 RD=1, RCODE NOERROR
        0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    ] + podName + [
        0x00, 0x01, 0x00, 0x01, // A IN
        0xC0, 0x0C,             // owner: pointer to offset 12
        0x00, 0x01, 0x00, 0x01, // A IN
        0x00, 0x00, 0x00, 0x05, // TTL 5
        0x00, 0x04,             // RDLENGTH
        0x7F, 0x00, 0x01, 0x05, // 127.0.1.5
    ]

    static let question = DNSQuestion(name: Fixture.pod(0), type: .a, class: .in)

    @Test func digQueryWithoutEDNS_decodes() throws {
        let message = try DNSMessage(decoding: Self.plainQuery)
        let expected = DNSMessage(
            header: DNSHeader(id: 0x1D2C, recursionDesired: true, authenticData: true),
            questions: [Self.question]
        )
        #expect(message == expected)
        #expect(message.edns == nil)
        #expect(try message.encoded() == Self.plainQuery)
    }

    @Test func digQueryWithEDNS_decodesBufferSizeAndCookie() throws {
        let message = try DNSMessage(decoding: Self.ednsQuery)
        #expect(message.questions == [Self.question])
        let edns = try #require(message.edns)
        #expect(edns == EDNS(
            udpPayloadSize: 1232, options: [EDNSOption(code: EDNSOption.cookieCode, data: Self.cookie)]
        ))
        #expect(try message.encoded() == Self.ednsQuery)
    }

    @Test func answerWithCompressedOwner_decodesAndEncodesIdentically() throws {
        let message = try DNSMessage(decoding: Self.answer)
        #expect(message.header == DNSHeader(
            id: 0x1D2C, isResponse: true, isAuthoritative: true, recursionDesired: true
        ))
        #expect(message.answers == [
            DNSRecord(name: Fixture.pod(0), ttl: 5, data: .a(DNSIPv4Address(127, 0, 1, 5))),
        ])
        #expect(try message.encoded() == Self.answer)
    }

    @Test func headerAlone_isReadableFromAnyPacketOfTwelveBytes() throws {
        let header = try DNSHeader(decoding: Self.ednsQuery)
        #expect(header.id == 0x1D2C && header.opcode == .query && header.recursionDesired)
        #expect(throws: DNSDecodeError(offset: 10, reason: .truncated)) {
            try DNSHeader(decoding: Array(Self.plainQuery[0..<11]))
        }
    }
}
