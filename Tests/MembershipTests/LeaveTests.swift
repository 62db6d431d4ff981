import Basics
import Testing
@testable import Membership

@Suite struct LeaveTests {
    @Test func leave_marksSelfLeftAtHigherIncarnation_andTellsSeveralMembersAtOnce() {
        var a = instance(knowing: (1...8).map { "p\($0)" })
        let directives = a.handle(.leave(now: at(1_000)))
        #expect(a.me.status == .left)
        #expect(a.incarnation == 1)
        #expect(directives.changes.map(\.member) == [member("a", .left, 1)])
        let pings = directives.pings()
        #expect(pings.count == 3)
        #expect(pings.allSatisfy { $0.envelope.gossip.first == member("a", .left, 1) })
    }

    @Test func leftMember_stopsProbing() {
        var a = instance(knowing: ["b", "c"])
        _ = a.handle(.leave(now: at(0)))
        a.broadcasts = .init()
        var sends = 0
        for step in 1...100 { sends += a.handle(.tick(now: at(step * 100))).sends.count }
        #expect(sends == 0)
        #expect(a.probe == nil)
    }

    @Test func receiver_recordsLeave_andItIsNotRevivedBySameIncarnation() {
        var b = instance(knowing: ["x", "y"])
        _ = b.handle(.received(envelope(from: "y", .ack(sequence: 0), gossip: [member("z", .alive, 0)]), now: at(0)))
        let left = b.handle(.received(envelope(from: "z", .ping(sequence: 1), gossip: [member("z", .left, 1)]), now: at(1)))
        #expect(left.changes == [Membership.MemberChange(previous: .alive, member: member("z", .left, 1))])
        _ = b.handle(.received(envelope(from: "x", .ack(sequence: 0), gossip: [member("z", .alive, 1)]), now: at(2)))
        #expect(b.member(node("z"))?.status == .left)
    }

    @Test func leftMember_accusedOfDeath_reassertsLeft() {
        var a = instance(knowing: ["b"])
        _ = a.handle(.leave(now: at(0)))
        _ = a.handle(.received(envelope(from: "b", .ack(sequence: 0), gossip: [member("a", .dead, 1)]), now: at(1)))
        #expect(a.me == member("a", .left, 2))
    }

    @Test(arguments: [(Membership.Status.dead, 29_999, true), (.dead, 30_000, false), (.left, 30_000, false)])
    func goneMember_isReapedAfterTwiceGossipToTheDead(status: Membership.Status, elapsed: Int, stillKnown: Bool) {
        var a = instance(knowing: ["b", "c"])
        _ = a.handle(.received(envelope(from: "c", .ack(sequence: 0), gossip: [member("b", status, 0)]), now: at(0)))
        _ = a.handle(.tick(now: at(elapsed)))
        #expect((a.member(node("b")) != nil) == stillKnown)
    }
}
