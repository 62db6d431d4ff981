import Basics
import Testing
@testable import Membership

@Suite struct GossipTests {
    /// Each update is piggybacked `ceil(retransmitMultiplier × log10(n + 1))` times, where n
    /// counts self: 5 members → ceil(4 × 0.778) = 4; 10 → ceil(4.166) = 5; 50 → ceil(6.83) = 7.
    @Test(arguments: [(4, 4, 4), (9, 4, 5), (49, 4, 7), (9, 2, 3)])
    func update_isPiggybackedRetransmitLimitTimes(peers: Int, multiplier: Int, expected: Int) {
        var settings = Membership.Settings()
        settings.retransmitMultiplier = multiplier
        var a = instance(knowing: (1...peers).map { "p\($0)" }, settings: settings)
        a.broadcasts = .init()  // forget the join-time news
        _ = a.handle(.received(envelope(from: "p1", .ack(sequence: 0), gossip: [member("p2", .suspect, 0)]), now: at(1)))
        var carried = 0
        for sequence in 0..<50 {
            let envelope = a.makeEnvelope(.ping(sequence: UInt64(sequence)), to: node("p1"))
            carried += envelope.gossip.filter { $0 == member("p2", .suspect, 0) }.count
        }
        #expect(a.retransmitLimit == expected)
        #expect(carried == expected)
    }

    @Test func newerClaim_replacesQueuedOlderOne() {
        var a = instance(knowing: ["b", "c"])
        a.broadcasts = .init()
        _ = a.handle(.received(envelope(from: "c", .ack(sequence: 0), gossip: [member("b", .suspect, 0)]), now: at(1)))
        _ = a.handle(.received(envelope(from: "b", .ack(sequence: 0), gossip: [member("b", .alive, 1)]), now: at(2)))
        let gossip = a.makeEnvelope(.ping(sequence: 1), to: node("c")).gossip
        #expect(gossip == [member("b", .alive, 1)])
    }

    @Test func envelope_carriesAtMostMaxGossip_leastTransmittedNewestFirst() {
        var settings = Membership.Settings()
        settings.maxGossipPerMessage = 3
        var a = instance(knowing: [], settings: settings)
        for index in 1...5 {
            _ = a.handle(.received(envelope(from: "x", .ack(sequence: 0), gossip: [member("m\(index)")]), now: at(index)))
        }
        a.broadcasts = .init()
        for index in 1...5 { a.broadcasts.enqueue(member("m\(index)")) }
        let first = a.makeEnvelope(.ping(sequence: 1), to: nil).gossip.map(\.id.name)
        let second = a.makeEnvelope(.ping(sequence: 2), to: nil).gossip.map(\.id.name)
        #expect(first == ["m5", "m4", "m3"])
        #expect(second == ["m2", "m1", "m5"])
    }

    @Test func gossipRound_sendsQueuedNewsToFanoutMembers_onlyWhenThereIsNews() {
        var settings = Membership.Settings()
        settings.gossipFanout = 3
        var a = instance(knowing: (1...10).map { "p\($0)" }, settings: settings)
        a.broadcasts = .init()
        a.nextGossipAt = at(1_000)
        a.nextProbeAt = at(100_000)
        let quiet = a.handle(.tick(now: at(1_000)))
        #expect(quiet.sends.isEmpty)
        _ = a.handle(.received(envelope(from: "p1", .ack(sequence: 0), gossip: [member("p2", .suspect, 0)]), now: at(1_100)))
        let round = a.handle(.tick(now: at(1_200)))
        #expect(round.pings().count == 3)
        #expect(Set(round.pings().map(\.to)).count == 3)
        #expect(round.pings().allSatisfy { $0.envelope.gossip.contains(member("p2", .suspect, 0)) })
    }

    @Test(arguments: [(14_999, true), (15_000, false)])
    func deadMember_keepsGettingGossip_forGossipToTheDead(elapsed: Int, included: Bool) {
        var settings = Membership.Settings()
        settings.gossipFanout = 5
        var a = instance(knowing: ["b"], settings: settings)
        _ = a.handle(.received(envelope(from: "c", .ack(sequence: 0), gossip: [member("b", .dead, 0)]), now: at(0)))
        a.broadcasts = .init()
        a.broadcasts.enqueue(member("zz"))
        a.nextGossipAt = at(elapsed)
        a.nextProbeAt = at(100_000)
        let round = a.handle(.tick(now: at(elapsed)))
        #expect(round.pings().map(\.to).contains(address("b")) == included)
    }

    @Test func pushPullRound_exchangesFullStateWithOneAliveMember() {
        var settings = Membership.Settings()
        settings.pushPullInterval = .seconds(5)
        settings.probeInterval = .seconds(20)  // no probe can fail (and suspect b, c) meanwhile
        settings.probeTimeout = .seconds(10)
        var a = instance(knowing: ["b", "c"], settings: settings)
        var sent: [(envelope: Envelope, to: Endpoint)] = []
        for step in 0...50 {
            sent += a.handle(.tick(now: at(step * 100))).sends.filter {
                if case .pushPull(_, false) = $0.envelope.message { true } else { false }
            }
        }
        #expect(sent.count == 1)
        if case let .pushPull(members, _)? = sent.first?.envelope.message {
            #expect(members.map(\.id.name) == ["a", "b", "c"])
        }
    }
}
