import Basics
import DNS
import Testing

/// Mutated queries against the standard cluster (convention §8.5 rule 7): the responder
/// never traps, and whatever it sends is a well-formed reply with the query's ID that fits
/// the transport.
@Suite struct ResponderFuzzTests {
    static let iterations = 5_000

    static func seeds() throws -> [[UInt8]] {
        let questions: [(String, DNSRecordType)] = [
            ("web-0.nginx.default.svc.cluster.local.", .a), ("_web._tcp.nginx.default.svc.cluster.local.", .srv),
            ("10.1.244.10.in-addr.arpa.", .ptr), ("cluster.local.", .any), ("nope.cluster.local.", .a),
            ("example.com.", .a), ("dns-version.cluster.local.", .txt),
        ]
        let edns = EDNS(udpPayloadSize: 700, options: [EDNSOption(code: EDNSOption.cookieCode, data: [1, 2, 3, 4, 5, 6, 7, 8])])
        return try questions.flatMap { text, type in
            [try ZoneQuery.message(name(text), type).encoded(), try ZoneQuery.message(name(text), type, edns: edns).encoded()]
        }
    }

    @Test func mutatedQueries_getWellFormedRepliesOrNone() throws {
        let index = try standardCluster.get().index
        let seeds = try Self.seeds()
        let responder = DNSResponder()
        var random = SplitMix64(seed: 0x2_0DE5)
        var answered = 0
        for _ in 0..<Self.iterations {
            var packet = seeds.randomElement(using: &random) ?? []
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                FuzzTests.mutate(&packet, seeds: seeds, using: &random)
            }
            for transport in [DNSTransport.udp, .tcp] {
                guard let bytes = responder.respond(to: packet, transport: transport, index: index) else {
                    #expect(packet.count < DNSHeader.size || packet[2] & 0x80 != 0, "dropped \(packet)")
                    continue
                }
                answered += 1
                let reply = try DNSMessage(decoding: bytes)
                #expect(reply.header.isResponse && !reply.header.recursionAvailable)
                #expect(Array(bytes.prefix(2)) == Array(packet.prefix(2)))
                if let query = try? DNSMessage(decoding: packet) {
                    #expect(bytes.count <= responder.sizeLimit(for: query, transport: transport), "reply to \(packet)")
                } else {
                    #expect(reply.header.rcode == .formErr && bytes.count == DNSHeader.size)
                }
            }
        }
        #expect(answered > Self.iterations)
    }
}
