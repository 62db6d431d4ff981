@testable import DNSServer
import NIOCore
import NIOEmbedded
import Testing

/// The UDP handler under a flood from one netblock: answers up to the rate, then drops and
/// slips, all counted; loopback gets its rate without slips; and UDP asks for UDP-sized answers.
@Suite struct UDPQueryHandlerTests {
    func flood(from ip: String, queries: Int, rate: Int) throws -> (replies: [[UInt8]], harness: Harness) {
        var settings = DNSServerSettings()
        settings.rateLimit = rate
        let harness = Harness(settings)
        let channel = EmbeddedChannel(handler: UDPQueryHandler(answer: echo(size: 200), generation: { 1 }, defences: harness.defences))
        let source = try SocketAddress(ipAddress: ip, port: 5353)
        for id in 1...queries {
            try channel.writeInbound(AddressedEnvelope(remoteAddress: source, data: ByteBuffer(bytes: query(id: UInt16(id)))))
        }
        var replies: [[UInt8]] = []
        while let reply = try channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self) {
            #expect(reply.remoteAddress == source)
            replies.append(Array(reply.data.readableBytesView))
        }
        return (replies, harness)
    }

    @Test func aFloodFromOneNetblockGetsItsRateAndEveryOtherDropSlips() throws {
        let (replies, harness) = try flood(from: "203.0.113.9", queries: 10, rate: 4)
        let full = replies.filter { $0.count == 200 }
        let slipped = replies.filter { $0.count < 200 }
        #expect(full.map { UInt16($0[0]) << 8 | UInt16($0[1]) } == [1, 2, 3, 4])
        #expect(slipped.count == 3)
        #expect(slipped.allSatisfy { $0[2] & 0x02 != 0 && $0[6...11].allSatisfy { $0 == 0 } })
        #expect(harness.value(#"ordinal_dns_rate_limited_total{action="dropped"}"#) == 3)
        #expect(harness.value(#"ordinal_dns_rate_limited_total{action="slipped"}"#) == 3)
    }

    @Test func aLoopbackFloodGetsItsRateAndNoSlips() throws {
        let (replies, harness) = try flood(from: "127.0.0.1", queries: 50, rate: 4)
        #expect(replies.count == 4 && replies.allSatisfy { $0.count == 200 })
        #expect(harness.value(#"ordinal_dns_rate_limited_total{action="dropped"}"#) == 46)
        #expect(harness.value(#"ordinal_dns_rate_limited_total{action="slipped"}"#) == 0)
    }

    /// The size limit is the responder's (`ResponderTruncationTests`): the server must ask
    /// for a UDP answer over UDP and lift the limit only over TCP.
    @Test func udpAsksForTheUDPSizedAnswerAndTCPForTheWholeOne() throws {
        let harness = Harness()
        let answer: DNSServer.Answer = { query, overTCP in
            var reply = query
            reply[2] |= 0x80
            return reply + Array(repeating: 0, count: overTCP ? 4_000 : 100)
        }
        let udp = EmbeddedChannel(handler: UDPQueryHandler(answer: answer, generation: { 1 }, defences: harness.defences))
        try udp.writeInbound(AddressedEnvelope(remoteAddress: try SocketAddress(ipAddress: "192.0.2.1", port: 53), data: ByteBuffer(bytes: query(id: 1))))
        #expect(try udp.readOutbound(as: AddressedEnvelope<ByteBuffer>.self)?.data.readableBytes == 119)
        let tcp = try harness.connection(from: "192.0.2.1", answer: answer)
        try tcp.writeInbound(ByteBuffer(bytes: framed(query(id: 1))))
        #expect(try tcp.readOutbound(as: ByteBuffer.self)?.readableBytes == 2 + 4_019)
    }
}
