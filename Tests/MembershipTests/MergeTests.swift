import Basics
import Testing
@testable import Membership

@Suite struct MergeTests {
    struct Case: Sendable, CustomStringConvertible {
        var current: (Membership.Status, UInt64)
        var claim: (Membership.Status, UInt64)
        var expected: (Membership.Status, UInt64)
        var description: String { "\(current) + \(claim) -> \(expected)" }
    }

    /// SWIM §4.2 ordering: newer incarnation wins; at equal incarnation the higher
    /// precedence (alive < suspect < dead < left) wins; anything else is stale.
    static let cases: [Case] = [
        Case(current: (.alive, 3), claim: (.alive, 2), expected: (.alive, 3)),
        Case(current: (.alive, 3), claim: (.alive, 4), expected: (.alive, 4)),
        Case(current: (.alive, 3), claim: (.suspect, 2), expected: (.alive, 3)),
        Case(current: (.alive, 3), claim: (.suspect, 3), expected: (.suspect, 3)),
        Case(current: (.alive, 3), claim: (.dead, 3), expected: (.dead, 3)),
        Case(current: (.alive, 3), claim: (.dead, 2), expected: (.alive, 3)),
        Case(current: (.alive, 3), claim: (.left, 3), expected: (.left, 3)),
        Case(current: (.suspect, 3), claim: (.alive, 3), expected: (.suspect, 3)),
        Case(current: (.suspect, 3), claim: (.alive, 4), expected: (.alive, 4)),
        Case(current: (.suspect, 3), claim: (.suspect, 2), expected: (.suspect, 3)),
        Case(current: (.suspect, 3), claim: (.dead, 3), expected: (.dead, 3)),
        Case(current: (.dead, 3), claim: (.alive, 3), expected: (.dead, 3)),
        Case(current: (.dead, 3), claim: (.suspect, 3), expected: (.dead, 3)),
        Case(current: (.dead, 3), claim: (.alive, 2), expected: (.dead, 3)),
        Case(current: (.dead, 3), claim: (.alive, 4), expected: (.alive, 4)),
        Case(current: (.dead, 3), claim: (.left, 3), expected: (.left, 3)),
        Case(current: (.left, 3), claim: (.dead, 3), expected: (.left, 3)),
        Case(current: (.left, 3), claim: (.alive, 3), expected: (.left, 3)),
        Case(current: (.left, 3), claim: (.suspect, 4), expected: (.suspect, 4)),
    ]

    @Test(arguments: cases)
    func claim_isAppliedByIncarnationThenPrecedence(_ c: Case) {
        var a = instance(knowing: ["x", "y"])
        _ = a.handle(.received(envelope(from: "x", .ack(sequence: 0), gossip: [member("b", c.current.0, c.current.1)]), now: at(1)))
        if c.current.0.isGone {
            // A gone member nobody saw alive is only a tombstone; introduce it alive first.
            a = instance(knowing: ["x", "y"])
            _ = a.handle(.received(envelope(from: "x", .ack(sequence: 0), gossip: [member("b", .alive, c.current.1)]), now: at(1)))
            _ = a.handle(.received(envelope(from: "x", .ack(sequence: 0), gossip: [member("b", c.current.0, c.current.1)]), now: at(1)))
        }
        #expect(a.member(node("b")) == member("b", c.current.0, c.current.1))
        let directives = a.handle(.received(envelope(from: "y", .ack(sequence: 0), gossip: [member("b", c.claim.0, c.claim.1)]), now: at(2)))
        #expect(a.member(node("b")) == member("b", c.expected.0, c.expected.1))
        let changed = c.expected.0 != c.current.0
        #expect(directives.changes.contains { $0.member.id == node("b") } == changed)
    }

    /// A claim about this very member at the highest incarnation (which the wire refuses
    /// above 2⁶², so only a bug gets here) is answered without a trap: the member stays at
    /// the top, still alive, and can still leave.
    @Test func aClaimAtTheHighestIncarnation_doesNotTrap() {
        var a = instance(knowing: ["x"])
        _ = a.handle(.received(envelope(from: "x", .ack(sequence: 0), gossip: [member("a", .suspect, .max)]), now: at(1)))
        #expect(a.me.incarnation == .max)
        #expect(a.me.status == .alive)
        _ = a.handle(.leave(now: at(2)))
        #expect(a.me.status == .left)
    }

    @Test func suspectWithStaleIncarnation_isIgnored() {
        var a = instance(knowing: ["b", "c"])
        _ = a.handle(.received(envelope(from: "c", .ack(sequence: 0), gossip: [member("b", .alive, 5)]), now: at(1)))
        let directives = a.handle(.received(envelope(from: "c", .ack(sequence: 0), gossip: [member("b", .suspect, 4)]), now: at(2)))
        #expect(directives.changes.isEmpty)
        #expect(a.member(node("b")) == member("b", .alive, 5))
    }

    @Test(arguments: [
        (Membership.Status.suspect, UInt64(0), UInt64(1), 1),
        (.suspect, 5, 6, 1),
        (.dead, 0, 1, 1),
        (.dead, 9, 10, 1),
        (.left, 2, 3, 1),
        (.alive, 4, 5, 0),  // an alive claim from an earlier life is overtaken, no health cost
    ])
    func selfAccused_refutesAboveClaim_andGossipsAlive(
        status: Membership.Status, claimed: UInt64, expectedIncarnation: UInt64, healthCost: Int
    ) {
        var a = instance(knowing: ["b", "c"])
        let directives = a.handle(.received(envelope(from: "b", .ack(sequence: 0), gossip: [member("a", status, claimed)]), now: at(5)))
        #expect(a.me.status == .alive)
        #expect(a.incarnation == expectedIncarnation)
        #expect(a.localHealth == healthCost)
        #expect(a.counters.refutations == UInt64(healthCost), "only an accusation counts as a refutation")
        #expect(directives.changes.isEmpty)  // status, address and metadata are unchanged
        // The refutation is the first thing gossiped next.
        let next = a.makeEnvelope(.ping(sequence: 1), to: node("c"))
        #expect(next.gossip.first == member("a", .alive, expectedIncarnation))
    }

    @Test func selfAccusedAtOlderIncarnation_isIgnored() {
        var a = instance(knowing: ["b"])
        _ = a.handle(.received(envelope(from: "b", .ack(sequence: 0), gossip: [member("a", .suspect, 0)]), now: at(1)))
        #expect(a.incarnation == 1)
        _ = a.handle(.received(envelope(from: "b", .ack(sequence: 0), gossip: [member("a", .dead, 0)]), now: at(2)))
        #expect(a.incarnation == 1)
        #expect(a.localHealth == 1)
    }

    @Test func restartedMember_learningItsEarlierDeath_jumpsAboveIt() {
        // b knew "a" at incarnation 7 and declared it dead; "a" restarts at incarnation 0.
        var b = Instance(id: node("b"), address: address("b"), metadata: [:], settings: .init(), seed: 3)
        _ = b.handle(.join(seeds: [], now: at(0)))
        _ = b.handle(.received(envelope(from: "c", .ack(sequence: 0), gossip: [member("a", .alive, 7)]), now: at(1)))
        _ = b.handle(.received(envelope(from: "c", .ack(sequence: 0), gossip: [member("a", .dead, 7)]), now: at(2)))
        var a = Instance(id: node("a"), address: address("a"), metadata: [:], settings: .init(), seed: 4)
        let join = a.handle(.join(seeds: [address("b")], now: at(10)))
        let reply = b.handle(.received(join.sends[0].envelope, now: at(11)))
        #expect(b.member(node("a"))?.status == .dead)  // incarnation 0 is stale
        let replyEnvelope = reply.sends.first { if case .pushPull(_, true) = $0.envelope.message { true } else { false } }!
        _ = a.handle(.received(replyEnvelope.envelope, now: at(12)))
        #expect(a.incarnation == 8)
        let refutation = a.makeEnvelope(.ping(sequence: 1), to: node("b"))
        _ = b.handle(.received(refutation, now: at(13)))
        #expect(b.member(node("a")) == member("a", .alive, 8))
    }

    @Test func reapedMember_isNotRevivedByStaleGossip_butIsByNewerIncarnation() {
        var settings = Membership.Settings()
        settings.gossipToTheDead = .seconds(1)
        var a = instance(knowing: ["b", "c"], settings: settings)
        _ = a.handle(.received(envelope(from: "c", .ack(sequence: 0), gossip: [member("b", .dead, 2)]), now: at(100)))
        _ = a.handle(.tick(now: at(2_099)))
        #expect(a.member(node("b"))?.status == .dead)
        _ = a.handle(.tick(now: at(2_100)))
        #expect(a.member(node("b")) == nil)
        #expect(!a.members.map(\.id).contains(node("b")))
        let stale = a.handle(.received(envelope(from: "c", .ack(sequence: 0), gossip: [member("b", .alive, 2)]), now: at(2_200)))
        #expect(a.member(node("b")) == nil)
        #expect(stale.changes.isEmpty)
        let newer = a.handle(.received(envelope(from: "c", .ack(sequence: 0), gossip: [member("b", .alive, 3)]), now: at(2_300)))
        #expect(a.member(node("b")) == member("b", .alive, 3))
        #expect(newer.changes == [Membership.MemberChange(previous: nil, member: member("b", .alive, 3))])
    }

    @Test func reapedMember_talkingToUs_isToldItIsDead() {
        var settings = Membership.Settings()
        settings.gossipToTheDead = .seconds(1)
        var a = instance(knowing: ["b", "c"], settings: settings)
        _ = a.handle(.received(envelope(from: "c", .ack(sequence: 0), gossip: [member("b", .dead, 2)]), now: at(100)))
        _ = a.handle(.tick(now: at(5_000)))
        let directives = a.handle(.received(envelope(from: "b", .ping(sequence: 4)), now: at(5_001)))
        #expect(a.member(node("b")) == nil)
        #expect(directives.sends.first?.envelope.gossip.first == member("b", .dead, 2))
    }

    @Test func deadClaimAboutUnknownMember_doesNotAddIt_andBlocksStaleAlive() {
        var a = instance(knowing: ["c"])
        _ = a.handle(.received(envelope(from: "c", .ack(sequence: 0), gossip: [member("q", .dead, 1)]), now: at(1)))
        #expect(a.member(node("q")) == nil)
        _ = a.handle(.received(envelope(from: "c", .ack(sequence: 0), gossip: [member("q", .alive, 1)]), now: at(2)))
        #expect(a.member(node("q")) == nil)
    }
}
