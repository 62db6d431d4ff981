import DNS
import Testing

/// The reply to a packet that cannot be decoded (RFC 1035 §4.1.1, RCODE 1).
@Suite struct FormatErrorTests {
    @Test func garbageWithAHeader_getsFormErrWithItsID() throws {
        // ID 0xCAFE, QR=0, Opcode 2 (STATUS), RD=1, then counts and bytes that make no sense.
        let garbage: [UInt8] = [0xCA, 0xFE, 0b0001_0001, 0xFF, 0xFF, 0xFF, 0x00, 0x07, 0x13, 0x37, 0xC0, 0xC0, 0x99]
        #expect(throws: DNSDecodeError.self) { try DNSMessage(decoding: garbage) }

        let reply = try #require(DNSMessage.formatError(replyingTo: garbage))
        #expect(reply.count == DNSHeader.size)
        #expect(try DNSMessage(decoding: reply) == DNSMessage(header: DNSHeader(
            id: 0xCAFE, isResponse: true, opcode: .status, recursionDesired: true, rcode: .formErr
        )))
    }

    @Test(arguments: [0, 1, 11])
    func packetShorterThanAHeader_isDropped(length: Int) {
        #expect(DNSMessage.formatError(replyingTo: [UInt8](repeating: 0x01, count: length)) == nil)
    }

    @Test func response_isNeverAnswered() {
        // QR set: replying would let two servers exchange FORMERRs forever.
        let response = Raw.header(flags: 0x8000) + [0xFF]
        #expect(DNSMessage.formatError(replyingTo: response) == nil)
    }
}
