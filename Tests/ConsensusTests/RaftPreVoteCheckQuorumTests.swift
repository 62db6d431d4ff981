import Basics
import Testing
@testable import Consensus

/// PreVote (thesis §9.6), CheckQuorum and leader stickiness (thesis §6.2, §4.2.3).
@Suite struct RaftPreVoteCheckQuorumTests {
    static func settings(preVote: Bool, checkQuorum: Bool) -> Raft.Settings {
        var s = Raft.Settings()
        s.preVote = preVote
        s.checkQuorum = checkQuorum
        return s
    }

    /// A partitioned node that rejoins does not disrupt the leader with PreVote: its term is
    /// unchanged and the leader keeps its term. Without PreVote it inflates its term while
    /// away and, on return, forces the cluster into a new term (thesis §4.2.3, §9.6).
    @Test(arguments: [(true, false), (false, true)])
    func rejoiningNodeDisruptsOnlyWithoutPreVote(preVote: Bool, disrupts: Bool) throws {
        var c = TestCluster(voters: ["n1", "n2", "n3"], settings: Self.settings(preVote: preVote, checkQuorum: false))
        c.campaign("n1")
        let term = c["n1"].term
        c.isolate("n3")
        try c.propose("n1", "while-away")
        for _ in 0 ..< 60 { c.tick("n3") }
        #expect((c["n3"].term == term) == preVote)
        c.heal()
        c.tickAll(40)
        #expect((c["n1"].role != .leader || c["n1"].term != term) == disrupts)
        if preVote {
            #expect(c["n3"].term == term)
            #expect(c["n3"].leader == NodeID("n1"))
        }
        #expect(c.appliedTexts("n3") == ["while-away"])
    }

    /// CheckQuorum: an isolated leader steps down. Activity is judged per election-timeout
    /// window, so it steps down within two windows of losing contact.
    @Test(arguments: [true, false])
    func isolatedLeaderStepsDownOnlyWithCheckQuorum(checkQuorum: Bool) {
        var c = TestCluster(voters: ["n1", "n2", "n3"], settings: Self.settings(preVote: true, checkQuorum: checkQuorum))
        c.campaign("n1")
        c.isolate("n1")
        for _ in 0 ..< 2 * c.settings.electionTicks { c.tick("n1") }
        #expect((c["n1"].role == .leader) == !checkQuorum)
    }

    /// A leader in contact with its quorum keeps leading through many election timeouts.
    @Test func connectedLeaderKeepsLeading() {
        var c = TestCluster(voters: ["n1", "n2", "n3"], settings: Self.settings(preVote: true, checkQuorum: true))
        c.campaign("n1")
        let term = c["n1"].term
        for _ in 0 ..< 50 {
            c.tick("n1")
            c.stabilize()
        }
        #expect(c["n1"].role == .leader)
        #expect(c["n1"].term == term)
    }

    /// Stickiness: a follower that heard from its leader within the election timeout
    /// ignores a vote request of a higher term — no reply, no term change.
    @Test func followerInLeaseIgnoresVoteRequests() throws {
        var c = TestCluster(voters: ["n1", "n2", "n3"], settings: Self.settings(preVote: true, checkQuorum: true))
        c.campaign("n1")
        let term = c["n2"].term
        var n2 = c["n2"]
        try n2.step(Raft.Message(from: Fixture.n3, to: Fixture.n2, term: term + 1, payload: .vote(.init(lastIndex: 100, lastTerm: 100))))
        #expect(n2.term == term)
        #expect(!n2.hasReady)
    }

    /// A pre-candidate that loses its pre-vote stays in its term and becomes a follower.
    @Test func lostPreVoteKeepsTerm() throws {
        var s = Fixture.settings
        s.preVote = true
        var node = Fixture.node(terms: [1], term: 1, settings: s)
        node.campaign(transfer: false)
        #expect(node.role == .preCandidate)
        try node.step(Fixture.message(Fixture.n2, Fixture.n1, term: 1, .preVoteResponse(granted: false)))
        try node.step(Fixture.message(Fixture.n3, Fixture.n1, term: 1, .preVoteResponse(granted: false)))
        #expect(node.role == .follower)
        #expect(node.term == 1)
    }
}
