import DNS
import Testing

@Suite struct RoundTripTests {
    @Test(arguments: Fixture.everyRecord)
    func everyRecordType_survivesEncodeAndDecode(record: RecordCase) throws {
        let isOPT = record.record.type == .opt
        let message = DNSMessage(
            header: DNSHeader(id: 42, isResponse: true),
            questions: [DNSQuestion(name: record.record.name, type: record.record.type)],
            answers: isOPT ? [] : [record.record],
            additionals: isOPT ? [record.record] : []
        )
        let decoded = try DNSMessage(decoding: message.encoded())
        #expect(decoded == message)
        #expect(decoded.answers.first?.type ?? decoded.additionals.first?.type == record.record.type)
    }

    @Test func multiSectionMessage_survivesEncodeAndDecode() throws {
        let bytes = try Fixture.multiSection.encoded()
        let decoded = try DNSMessage(decoding: bytes)
        #expect(decoded == Fixture.multiSection)
        #expect(decoded.edns == Fixture.edns)
        // Re-encoding a decoded message is byte-identical: the encoder is deterministic.
        #expect(try decoded.encoded() == bytes)
    }

    @Test(arguments: [
        DNSHeader(id: 0),
        DNSHeader(id: 0xFFFF, isResponse: true),
        DNSHeader(id: 1, opcode: .notify),
        DNSHeader(id: 2, opcode: DNSOpcode(rawValue: 15)!),
        DNSHeader(id: 3, isAuthoritative: true),
        DNSHeader(id: 4, isTruncated: true),
        DNSHeader(id: 5, recursionDesired: true),
        DNSHeader(id: 6, recursionAvailable: true),
        DNSHeader(id: 7, authenticData: true),
        DNSHeader(id: 8, checkingDisabled: true),
        DNSHeader(id: 9, rcode: .refused),
        DNSHeader(id: 10, rcode: DNSRcode(rawValue: 15)!),
        DNSHeader(
            id: 11, isResponse: true, opcode: .update, isAuthoritative: true, isTruncated: true,
            recursionDesired: true, recursionAvailable: true, authenticData: true, checkingDisabled: true,
            rcode: .nxDomain
        ),
    ])
    func everyHeaderFlag_survivesEncodeAndDecode(header: DNSHeader) throws {
        let message = DNSMessage(header: header)
        let bytes = try message.encoded()
        #expect(bytes.count == DNSHeader.size)
        #expect(try DNSMessage(decoding: bytes) == message)
        #expect(try DNSHeader(decoding: bytes) == header)
    }

    @Test func headerFlags_sitWhereRFC1035PutsThem() throws {
        let header = DNSHeader(
            id: 0x0102, isResponse: true, opcode: .status, isAuthoritative: true,
            recursionDesired: true, rcode: .servFail
        )
        let bytes = try DNSMessage(header: header).encoded()
        // QR=1 | Opcode=0010 | AA=1 | TC=0 | RD=1, then RA=0 | Z=0 | AD=0 | CD=0 | RCODE=0010.
        #expect(bytes == [0x01, 0x02, 0b1001_0101, 0b0000_0010, 0, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test func reservedZBit_isIgnoredOnReceipt() throws {
        let bytes = Raw.header(flags: 0x0040)
        #expect(try DNSMessage(decoding: bytes) == DNSMessage(header: DNSHeader(id: 0x1234)))
    }

    @Test func edns_mapsOntoTheOPTRecordFields() throws {
        let edns = EDNS(udpPayloadSize: 4096, extendedRcode: 1, version: 0, dnssecOK: true)
        let record = edns.record
        #expect(record.name == .root)
        #expect(record.class.rawValue == 4096)
        #expect(record.ttl == 0x0100_8000)
        #expect(EDNS(record) == edns)
        #expect(EDNS(Fixture.a(Fixture.service, 1)) == nil)
    }

    @Test func ednsAccessor_replacesAppendsAndRemovesTheOPTRecord() {
        var message = Fixture.serviceAnswer(count: 1)
        #expect(message.edns == nil)
        message.additionals = [Fixture.a(Fixture.pod(0), 9)]
        message.edns = EDNS(udpPayloadSize: 512)
        #expect(message.additionals.count == 2)
        message.edns = Fixture.edns
        #expect(message.additionals.count == 2)
        #expect(message.additionals.last == Fixture.edns.record)
        message.edns = nil
        #expect(message.additionals == [Fixture.a(Fixture.pod(0), 9)])
    }

    @Test func recordTypeAndClass_printAsDigDoes() {
        #expect(Fixture.everyRecord.map(\.record.type.description) == [
            "A", "AAAA", "SRV", "PTR", "SOA", "NS", "CNAME", "TXT", "TXT", "OPT", "OPT", "TYPE15", "TYPE65280", "A",
        ])
        #expect(DNSQuestion(name: Fixture.service, type: .any, class: DNSClass(rawValue: 9)).description
            == "nginx.default.svc.cluster.local. CLASS9 ANY")
        #expect(DNSRcode.nxDomain.description == "NXDOMAIN")
        #expect(DNSOpcode(rawValue: 16) == nil)
    }

    /// Data the wire format cannot carry, with a short name so test logs stay readable.
    struct UnencodableCase: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let data: DNSRecordData
        let expected: DNSEncodeError
    }

    @Test(arguments: [
        UnencodableCase(
            testDescription: "TXT string of 256 bytes",
            data: .txt([[UInt8](repeating: 0, count: 256)]), expected: .characterStringTooLong(256)
        ),
        UnencodableCase(
            testDescription: "opaque RDATA of 65536 bytes",
            data: .unknown(type: DNSRecordType(rawValue: 99), rdata: [UInt8](repeating: 0, count: 65536)),
            expected: .rdataTooLong(DNSRecordType(rawValue: 99), 65536)
        ),
        UnencodableCase(
            testDescription: "OPT options of 65536 bytes",
            data: .opt([EDNSOption(code: 1, data: [UInt8](repeating: 0, count: 65532))]),
            expected: .rdataTooLong(.opt, 65536)
        ),
    ])
    func unencodableData_throws(unencodable: UnencodableCase) {
        let record = DNSRecord(name: Fixture.service, ttl: 5, data: unencodable.data)
        let message = DNSMessage(header: DNSHeader(id: 1), additionals: [record])
        #expect(throws: unencodable.expected) { try message.encoded() }
    }

    @Test func questionsBeyond65535Bytes_throw() {
        let question = DNSQuestion(name: Fixture.pod(0), type: .a)
        let message = DNSMessage(header: DNSHeader(id: 1), questions: Array(repeating: question, count: 11000))
        // The first question takes 43 bytes and each repeat a 2-byte pointer and 4 bytes.
        #expect(throws: DNSEncodeError.messageTooLarge(12 + 43 + 10999 * 6)) { try message.encoded() }
    }
}
