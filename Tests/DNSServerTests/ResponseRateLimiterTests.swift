@testable import DNSServer
import NIOCore
import Testing

/// BIND-style response-rate limiting: a bucket per /24 or /56, slips, the loopback
/// exemption and a bounded table.
@Suite struct ResponseRateLimiterTests {
    static let second: UInt64 = 1_000_000_000

    func limiter(rate: Int, slip: Int = 2, netblocks: Int = 16_384) -> ResponseRateLimiter {
        var settings = DNSServerSettings()
        settings.rateLimit = rate
        settings.slip = slip
        settings.maxNetblocks = netblocks
        return ResponseRateLimiter(settings: settings)
    }

    func address(_ ip: String) throws -> SocketAddress {
        try SocketAddress(ipAddress: ip, port: 53)
    }

    @Test func pastTheRateEveryOtherAnswerIsDroppedAndEveryOtherSlips() throws {
        var limiter = limiter(rate: 5)
        let source = try address("192.0.2.7")
        let decisions = (0..<11).map { _ in limiter.decide(for: source, now: Self.second) }
        #expect(decisions == Array(repeating: .answer, count: 5) + [.drop, .slip, .drop, .slip, .drop, .slip])
        // A second later the bucket is full again: five more answers.
        let later = (0..<6).map { _ in limiter.decide(for: source, now: 2 * Self.second) }
        #expect(later == Array(repeating: .answer, count: 5) + [.drop])
    }

    @Test func aNetblockSharesOneBucket() throws {
        var limiter = limiter(rate: 2, slip: 0)
        #expect(limiter.decide(for: try address("192.0.2.1"), now: 0) == .answer)
        #expect(limiter.decide(for: try address("192.0.2.200"), now: 0) == .answer)
        #expect(limiter.decide(for: try address("192.0.2.99"), now: 0) == .drop)
        #expect(limiter.decide(for: try address("192.0.3.1"), now: 0) == .answer)
        #expect(limiter.decide(for: try address("2001:db8:0:100::1"), now: 0) == .answer)
        #expect(limiter.decide(for: try address("2001:db8:0:1ff::2"), now: 0) == .answer)
        #expect(limiter.decide(for: try address("2001:db8:0:1ab::3"), now: 0) == .drop, "the same /56")
        #expect(limiter.decide(for: try address("2001:db8:0:200::1"), now: 0) == .answer, "another /56")
        #expect(limiter.decide(for: try address("::ffff:192.0.2.5"), now: 0) == .drop, "an IPv4 client on a dual-stack socket")
    }

    /// A local flood costs the same CPU as a remote one: loopback is limited, per address
    /// (agents and tools each have their own), and dropped without a slip (no one spoofs it).
    @Test func loopbackIsLimitedPerAddressWithoutSlipsAndZeroTurnsTheLimitOff() throws {
        var limited = limiter(rate: 1, slip: 2)
        for ip in ["127.0.0.1", "127.0.0.2", "127.1.2.3", "::1"] {
            let source = try address(ip)
            #expect(limited.decide(for: source, now: 0) == .answer, "\(ip): its own budget")
            #expect((0..<1_000).allSatisfy { _ in limited.decide(for: source, now: 0) == .drop }, "\(ip): past it, dropped, never slipped")
        }
        #expect(limited.decide(for: try address("::ffff:127.0.0.1"), now: 0) == .drop, "the same address on a dual-stack socket")
        #expect(limited.count == 4)
        var off = limiter(rate: 0)
        let source = try address("192.0.2.7")
        #expect((0..<1_000).allSatisfy { _ in off.decide(for: source, now: 0) == .answer })
    }

    @Test func theTableOfNetblocksStaysBounded() throws {
        var limiter = limiter(rate: 10, netblocks: 64)
        for block in 0..<10_000 {
            let source = try address("10.\(block >> 8 & 0xFF).\(block & 0xFF).1")
            #expect(limiter.decide(for: source, now: UInt64(block) * 1_000) == .answer)
            #expect(limiter.count <= 64)
        }
    }
}

/// The empty truncated reply a slip sends.
@Suite struct SlipReplyTests {
    @Test func itCarriesTheIDAndQuestionWithTCAndNoRecords() throws {
        let asked = query(id: 0xBEEF) + [0, 0, 0x29, 0x04, 0xD0, 0, 0, 0, 0, 0, 0]  // an OPT record after the question
        var withAdditional = asked
        withAdditional[11] = 1
        let reply = try #require(SlipReply.make(for: withAdditional))
        #expect(reply.count == 19, "header and question only")
        #expect(reply.prefix(2) == [0xBE, 0xEF])
        #expect(reply[2] == 0x80 | 0x02 | 0x01, "QR, TC and RD")
        #expect(reply[3] == 0)
        #expect(reply[4...11] == [0, 1, 0, 0, 0, 0, 0, 0])
        #expect(Array(reply[12...]) == Array(query(id: 0xBEEF)[12...]))
    }

    @Test func responsesAndShortOrQuestionlessPacketsGetNone() {
        var response = query(id: 1)
        response[2] |= 0x80
        #expect(SlipReply.make(for: response) == nil)
        #expect(SlipReply.make(for: Array(query(id: 1).prefix(11))) == nil)
        #expect(SlipReply.make(for: Array(query(id: 1).prefix(15))) == nil)
        var noQuestion = query(id: 1)
        noQuestion[5] = 0
        #expect(SlipReply.make(for: noQuestion) == nil)
    }
}
