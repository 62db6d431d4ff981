import DNS
import Testing

/// A packet that must be rejected, and the error it must be rejected with.
struct MalformedCase: Sendable, CustomTestStringConvertible {
    let label: String
    let bytes: [UInt8]
    let expected: DNSDecodeError

    init(_ label: String, _ bytes: [UInt8], at offset: Int, _ reason: DNSDecodeError.Reason) {
        self.label = label
        self.bytes = bytes
        expected = DNSDecodeError(offset: offset, reason: reason)
    }

    var testDescription: String {
        label
    }
}

/// Convention §8.5 rule 7: every malformed packet is a typed error with offset and reason.
@Suite struct MalformedPacketTests {
    static let a = UInt8(ascii: "a")
    static let rootQuestion: [UInt8] = [0, 0, 1, 0, 1]

    /// Owner `a.`, 127 (or `count`) pointers each leading to the one before, the first to
    /// the root name at offset 12, and then a record whose owner enters the chain at its end.
    static func pointerChain(count: Int) -> [UInt8] {
        // Header 0..<12, root question 12..<17, first answer's owner at 17, its RDATA at 28.
        let chainStart = 28
        let chain = (0..<count).flatMap { index in
            let target = index == 0 ? 12 : chainStart + 2 * (index - 1)
            return [0xC0 | UInt8(target >> 8), UInt8(target & 0xFF)]
        }
        let last = chainStart + 2 * (count - 1)
        return Raw.header(qd: 1, an: 2) + rootQuestion
            + [0] + Raw.record(type: 99, rdata: chain)
            + [0xC0 | UInt8(last >> 8), UInt8(last & 0xFF)] + Raw.record(type: 1, rdata: [1, 2, 3, 4])
    }

    static let cases: [MalformedCase] = [
        MalformedCase("header cut short", [0x12, 0x34, 0x01], at: 2, .truncated),
        MalformedCase(
            "counts larger than the data",
            Raw.header(qd: 1, an: 0xFFFF) + Raw.name("a") + [0, 1, 0, 1],
            at: 4, .countsExceedData(needed: 5 + 65535 * 11, available: 7)
        ),
        MalformedCase(
            "question cut inside QCLASS",
            Raw.header(qd: 1) + Raw.name("web") + [0, 1, 0],
            at: 19, .truncated
        ),
        MalformedCase(
            "label runs past the end",
            Raw.header(qd: 1) + [10] + Array("web".utf8) + [0, 0, 1, 0, 1],
            at: 12, .truncated
        ),
        MalformedCase(
            "record cut before RDLENGTH",
            Raw.header(qd: 1, an: 1) + rootQuestion + Raw.name("www") + [0, 1, 0, 1, 0, 0, 0, 5],
            at: 30, .truncated
        ),
        MalformedCase(
            "RDLENGTH past the end",
            Raw.header(an: 1) + [0] + [0, 1, 0, 1, 0, 0, 0, 5] + [0, 4],
            at: 21, .rdataOverrun(length: 4)
        ),
        MalformedCase(
            "label of 64 bytes (type bits 01)",
            Raw.header(qd: 1) + [64] + [UInt8](repeating: a, count: 64) + rootQuestion,
            at: 12, .reservedLabelType(0x40)
        ),
        MalformedCase(
            "label type bits 10",
            Raw.header(qd: 1) + [0x80] + rootQuestion,
            at: 12, .reservedLabelType(0x80)
        ),
        MalformedCase(
            "name over 255 bytes",
            Raw.header(qd: 1) + (0..<4).flatMap { _ in [63] + [UInt8](repeating: a, count: 63) } + rootQuestion,
            at: 12 + 3 * 64, .nameTooLong
        ),
        MalformedCase(
            "name over 255 bytes through a pointer",
            Raw.header(qd: 2)
                + (0..<3).flatMap { _ in [63] + [UInt8](repeating: a, count: 63) } + rootQuestion
                + [63] + [UInt8](repeating: a, count: 63) + [0xC0, 12, 0, 1, 0, 1],
            at: 12 + 2 * 64, .nameTooLong
        ),
        MalformedCase(
            "pointer to its own position",
            Raw.header(qd: 1) + [0xC0, 12, 0, 1, 0, 1],
            at: 12, .forwardPointer(target: 12)
        ),
        MalformedCase(
            "pointer forward",
            Raw.header(qd: 1) + [0xC0, 18, 0, 1, 0, 1] + Raw.name("a"),
            at: 12, .forwardPointer(target: 18)
        ),
        MalformedCase(
            "pointer beyond the packet",
            Raw.header(qd: 1) + [0xC0, 0xFF, 0, 1, 0, 1],
            at: 12, .pointerOutOfRange(target: 255)
        ),
        MalformedCase(
            "largest pointer offset",
            Raw.header(qd: 1) + [0xFF, 0xFF, 0, 1, 0, 1],
            at: 12, .pointerOutOfRange(target: 0x3FFF)
        ),
        MalformedCase(
            "pointer loop",
            Raw.header(qd: 1) + [1, a, 0xC0, 12, 0, 1, 0, 1],
            at: 14, .pointerLoop(target: 12)
        ),
        MalformedCase(
            "pointer loop entered through another pointer",
            // The first answer's opaque RDATA at 23 holds `z` and a pointer back to 23.
            Raw.header(an: 2) + [0] + Raw.record(type: 99, rdata: [1, UInt8(ascii: "z"), 0xC0, 23])
                + [0xC0, 23] + Raw.record(type: 1, rdata: [1, 2, 3, 4]),
            at: 25, .pointerLoop(target: 23)
        ),
        MalformedCase("128 pointers in one name", pointerChain(count: 127), at: 28, .tooManyPointers),
        MalformedCase(
            "A with 5 bytes of RDATA",
            Raw.header(an: 1) + [0] + Raw.record(type: 1, rdata: [1, 2, 3, 4, 5]),
            at: 27, .invalidRdata(.a)
        ),
        MalformedCase(
            "A with 3 bytes of RDATA",
            Raw.header(an: 1) + [0] + Raw.record(type: 1, rdata: [1, 2, 3]),
            at: 23, .invalidRdata(.a)
        ),
        MalformedCase(
            "AAAA with 4 bytes of RDATA",
            Raw.header(an: 1) + [0] + Raw.record(type: 28, rdata: [1, 2, 3, 4]),
            at: 23, .invalidRdata(.aaaa)
        ),
        MalformedCase(
            "PTR name crossing RDLENGTH",
            Raw.header(an: 1) + [0] + Raw.record(type: 12, rdata: [3, 0x77, 0x77]) + [0x77, 0],
            at: 23, .invalidRdata(.ptr)
        ),
        MalformedCase(
            "TXT string crossing RDLENGTH",
            Raw.header(an: 1) + [0] + Raw.record(type: 16, rdata: [5, a, a]),
            at: 24, .invalidRdata(.txt)
        ),
        MalformedCase(
            "SRV without room for its target",
            Raw.header(an: 1) + [0] + Raw.record(type: 33, rdata: [0, 0, 0, 0, 0x1F, 0x90]),
            at: 29, .invalidRdata(.srv)
        ),
        MalformedCase(
            "SOA missing its last field",
            Raw.header(an: 1) + [0] + Raw.record(type: 6, rdata: [0, 0] + [UInt8](repeating: 0, count: 16)),
            at: 41, .invalidRdata(.soa)
        ),
        MalformedCase(
            "OPT option crossing RDLENGTH",
            Raw.header(ar: 1) + [0] + Raw.record(type: 41, class: 1232, ttl: 0, rdata: [0, 10, 0, 8, 1, 2]),
            at: 27, .invalidRdata(.opt)
        ),
        MalformedCase(
            "OPT in the answer section",
            Raw.header(an: 1) + [0] + Raw.record(type: 41, class: 512, ttl: 0, rdata: []),
            at: 12, .misplacedOPT
        ),
        MalformedCase(
            "OPT not owned by the root",
            Raw.header(ar: 1) + Raw.name("a") + Raw.record(type: 41, class: 512, ttl: 0, rdata: []),
            at: 12, .misplacedOPT
        ),
        MalformedCase(
            "two OPT records",
            Raw.header(ar: 2) + [0] + Raw.record(type: 41, class: 512, ttl: 0, rdata: [])
                + [0] + Raw.record(type: 41, class: 512, ttl: 0, rdata: []),
            at: 23, .duplicateOPT
        ),
        MalformedCase(
            "bytes after the last record",
            PacketDecodingTests.plainQuery + [0xAB],
            at: PacketDecodingTests.plainQuery.count, .trailingBytes(count: 1)
        ),
    ]

    @Test(arguments: cases)
    func malformedPacket_throwsTheSpecificError(malformed: MalformedCase) {
        #expect(throws: malformed.expected) { try DNSMessage(decoding: malformed.bytes) }
    }

    @Test(arguments: cases)
    func malformedPacket_withReadableHeader_getsFormatError(malformed: MalformedCase) throws {
        let reply = DNSMessage.formatError(replyingTo: malformed.bytes)
        guard malformed.bytes.count >= DNSHeader.size else {
            #expect(reply == nil)
            return
        }
        let message = try DNSMessage(decoding: try #require(reply))
        #expect(message.header.rcode == .formErr)
        #expect(message.header.id == UInt16(malformed.bytes[0]) << 8 | UInt16(malformed.bytes[1]))
    }

    @Test func pointerChainOf127_isAccepted() throws {
        let message = try DNSMessage(decoding: Self.pointerChain(count: 126))
        #expect(message.answers.last?.name == .root)
    }
}
