import DNS
import Testing

/// RFC 2181 §9 and RFC 6891 §7: a UDP reply that does not fit is cut, keeps its question and
/// OPT record, and sets TC so the client retries over TCP.
@Suite struct TruncationTests {
    @Test func hundredARecords_truncateTo512WithQuestionIntact() throws {
        let message = Fixture.serviceAnswer(count: 100)
        #expect(try message.encoded().count > DNSMessage.classicUDPSize)

        let bytes = try message.encoded(limit: DNSMessage.classicUDPSize)
        #expect(bytes.count <= DNSMessage.classicUDPSize)
        let decoded = try DNSMessage(decoding: bytes)
        #expect(decoded.header.isTruncated)
        #expect(decoded.header.id == message.header.id)
        #expect(decoded.questions == message.questions)
        // Each answer is a pointer to the question plus 14 bytes: (512 - 12 - 37) / 16 fit.
        #expect(decoded.answers == Array(message.answers.prefix(28)))
    }

    @Test func hundredARecords_fitIn4096Untruncated() throws {
        let message = Fixture.serviceAnswer(count: 100, edns: EDNS(udpPayloadSize: 4096))
        let bytes = try message.encoded(limit: 4096)
        let decoded = try DNSMessage(decoding: bytes)
        #expect(!decoded.header.isTruncated)
        #expect(decoded == message)
    }

    @Test func truncatedReply_keepsTheOPTRecord() throws {
        let message = Fixture.serviceAnswer(count: 100, edns: Fixture.edns)
        let bytes = try message.encoded(limit: DNSMessage.classicUDPSize)
        #expect(bytes.count <= DNSMessage.classicUDPSize)
        let decoded = try DNSMessage(decoding: bytes)
        #expect(decoded.header.isTruncated)
        #expect(decoded.edns == Fixture.edns)
        #expect(decoded.answers == Array(message.answers.prefix(decoded.answers.count)))
        #expect(decoded.answers.count == (512 - 12 - 37 - 23) / 16)
    }

    @Test func authorityThatDoesNotFit_setsTC() throws {
        var message = Fixture.serviceAnswer(count: 28)
        message.authorities = [Fixture.soa]
        let decoded = try DNSMessage(decoding: message.encoded(limit: 512))
        #expect(decoded.header.isTruncated)
        #expect(decoded.answers.count == 28)
        #expect(decoded.authorities.isEmpty)
    }

    @Test func additionalThatDoesNotFit_isDroppedWithoutTC() throws {
        var message = Fixture.serviceAnswer(count: 2, edns: Fixture.edns)
        let big = DNSRecord(name: Fixture.pod(0), ttl: 5, data: .txt([[UInt8](repeating: 0x62, count: 255)] + [[0x63]]))
        message.additionals.insert(big, at: 0)
        message.additionals.append(Fixture.a(Fixture.pod(1), 1))
        let decoded = try DNSMessage(decoding: message.encoded(limit: 300))
        #expect(!decoded.header.isTruncated)
        #expect(decoded.answers == message.answers)
        // The OPT record and the small A record after the dropped TXT record remain, in order.
        #expect(decoded.additionals == [Fixture.edns.record, Fixture.a(Fixture.pod(1), 1)])
    }

    @Test func tinyLimit_stillKeepsHeaderQuestionAndOPT() throws {
        let message = Fixture.serviceAnswer(count: 3, edns: EDNS())
        let decoded = try DNSMessage(decoding: message.encoded(limit: 20))
        #expect(decoded.header.isTruncated)
        #expect(decoded.questions == message.questions)
        #expect(decoded.answers.isEmpty)
        #expect(decoded.edns == EDNS())
    }

    @Test func defaultLimit_isTheTCPMaximum() throws {
        let message = Fixture.serviceAnswer(count: 5000)
        let bytes = try message.encoded(limit: .max)
        #expect(bytes.count <= DNSMessage.maxSize)
        #expect(try message.encoded() == bytes)
        let decoded = try DNSMessage(decoding: bytes)
        #expect(decoded.header.isTruncated)
        #expect(decoded.answers.count == (65535 - 12 - 37) / 16)
    }

    @Test func messageThatFits_isNotMarkedTruncated() throws {
        let message = Fixture.serviceAnswer(count: 3)
        let bytes = try message.encoded(limit: 512)
        #expect(bytes == (try message.encoded()))
        #expect(try !DNSMessage(decoding: bytes).header.isTruncated)
    }
}
