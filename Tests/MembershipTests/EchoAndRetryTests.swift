import Basics
import Testing
@testable import Membership

@Suite struct EchoAndRetryTests {
    @Test func ack_doesNotEchoClaimsTheSenderJustSent() {
        var a = instance(knowing: ["b", "c"])
        a.broadcasts = .init()
        let claim = member("c", .suspect, 0)
        let directives = a.handle(.received(envelope(from: "b", .ping(sequence: 8), gossip: [claim]), now: at(1)))
        let ack = directives.sends.first { $0.envelope.message == .ack(sequence: 8) }!
        #expect(!ack.envelope.gossip.contains(claim))
        // The claim is still queued, untransmitted, for everyone else.
        #expect(a.makeEnvelope(.ping(sequence: 9), to: node("c")).gossip.first == claim)
    }

    @Test func memberAloneAfterJoin_retriesSeedsEachProtocolPeriod() {
        var a = Instance(id: node("a"), address: address("a"), metadata: [:], settings: .init(), seed: 1)
        _ = a.handle(.join(seeds: [address("s")], now: at(0)))
        var retries = 0
        for step in 1...20 {
            retries += a.handle(.tick(now: at(step * 100))).sends.filter { $0.to == address("s") }.count
        }
        #expect(retries >= 4 && retries <= 5)  // one per 400 ms period over 2 s
        _ = a.handle(.received(envelope(from: "s", .pushPull(members: [member("s")], isReply: true)), now: at(2_001)))
        var after = 0
        for step in 21...40 {
            after += a.handle(.tick(now: at(step * 100))).sends.filter {
                if case .pushPull = $0.envelope.message { true } else { false }
            }.count
        }
        #expect(after == 0)
    }
}
