import Basics
import Testing
@testable import Consensus

/// Learners (thesis §4.2.1), single-server changes (thesis §4.1) and leadership transfer
/// (thesis §3.10).
@Suite struct RaftMembershipTests {
    @Test func learnerReceivesLogButNeverCampaigns() throws {
        var c = TestCluster(voters: ["n1", "n2"], learners: ["l1"])
        c.campaign("n1")
        try c.propose("n1", "x")
        #expect(c.appliedTexts("l1") == ["x"])
        #expect(c["l1"].isLearner)
        c.isolate("l1")
        for _ in 0 ..< 100 { c.tick("l1") }
        #expect(c["l1"].role == .follower)
        #expect(c.delivered.allSatisfy { $0.from != NodeID("l1") || !$0.payload.isVoteRequest })
    }

    /// A learner's vote never counts: two voters with one unreachable cannot elect anyone,
    /// whatever the learner says.
    @Test func learnerVoteDoesNotCount() {
        var node = Fixture.node(voters: [Fixture.n1, Fixture.n2], terms: [1], term: 1)
        node.campaign(transfer: false)
        try? node.step(Fixture.message(NodeID("l1"), Fixture.n1, term: 2, .voteResponse(granted: true)))
        #expect(node.role == .candidate)
    }

    @Test func learnerIsPromotedAndThenVotes() throws {
        var c = TestCluster(voters: ["n1", "n2"], learners: ["l1"])
        c.campaign("n1")
        try c["n1"].proposeConfChange(Raft.ConfChange(.promoteLearner, NodeID("l1")))
        c.stabilize()
        for id in c.ids { #expect(c.nodes[id]!.voters == [NodeID("l1"), Fixture.n1, Fixture.n2]) }
        // With three voters, losing n2 no longer stops progress.
        c.isolate("n2")
        try c.propose("n1", "y")
        #expect(c.appliedTexts("l1") == ["y"])
    }

    @Test func newEmptyNodeJoinsAsLearnerAndCatchesUp() throws {
        var c = TestCluster(voters: ["n1", "n2", "n3"])
        c.campaign("n1")
        try c.propose("n1", "before")
        c.addEmptyNode("n4")
        try c["n1"].proposeConfChange(Raft.ConfChange(.addLearner, NodeID("n4")))
        c.stabilize()
        try c.propose("n1", "after")
        #expect(c.appliedTexts("n4") == ["before", "after"])
        #expect(c["n4"].learners == [NodeID("n4")])
    }

    /// Thesis §4.1: one change at a time — the next waits until the previous is applied.
    @Test func secondChangeWaitsForFirst() throws {
        var c = TestCluster(voters: ["n1", "n2", "n3"])
        c.campaign("n1")
        c.addEmptyNode("n4")
        try c["n1"].proposeConfChange(Raft.ConfChange(.addLearner, NodeID("n4")))
        #expect(throws: Raft.ProposalError.self) {
            try c["n1"].proposeConfChange(Raft.ConfChange(.remove, NodeID("n3")))
        }
        c.stabilize()
        try c["n1"].proposeConfChange(Raft.ConfChange(.remove, NodeID("n3")))
        c.stabilize()
        #expect(c["n1"].voters == [Fixture.n1, Fixture.n2])
    }

    @Test(arguments: [
        (Raft.ConfChange(.addVoter, NodeID("n2")), false),
        (Raft.ConfChange(.addLearner, NodeID("n9")), true),
        (Raft.ConfChange(.promoteLearner, NodeID("n2")), false),
        (Raft.ConfChange(.remove, NodeID("n9")), false),
        (Raft.ConfChange(.remove, NodeID("n3")), true),
    ])
    func confChangeValidation(change: Raft.ConfChange, valid: Bool) {
        let conf = Raft.ConfState(voters: [Fixture.n1, Fixture.n2, Fixture.n3])
        #expect((conf.rejection(of: change) == nil) == valid)
        #expect(Raft.ConfChange(decoding: change.encoded) == change)
    }

    /// Thesis §4.2.2: a leader removed from the configuration steps down once the change
    /// is applied; the rest elect a new leader.
    @Test func removedLeaderStepsDown() throws {
        var c = TestCluster(voters: ["n1", "n2", "n3"])
        c.campaign("n1")
        try c["n1"].proposeConfChange(Raft.ConfChange(.remove, Fixture.n1))
        c.stabilize()
        #expect(c["n1"].role == .follower)
        #expect(c["n2"].voters == [Fixture.n2, Fixture.n3])
        c.tickAll(3 * c.settings.electionTicks)
        #expect(c["n2"].role == .leader || c["n3"].role == .leader)
        #expect(c["n1"].role == .follower)
    }

    /// Thesis §3.10: the target is caught up, gets `TimeoutNow`, and wins the next term
    /// despite stickiness; proposals are refused meanwhile.
    @Test func leadershipTransferViaTimeoutNow() throws {
        var c = TestCluster(voters: ["n1", "n2", "n3"])
        c.campaign("n1")
        let term = c["n1"].term
        c.filter = { $0.to != Fixture.n2 }
        try c.propose("n1", "x")
        try c["n1"].transferLeadership(to: Fixture.n2)
        #expect(throws: Raft.ProposalError.transferring(to: Fixture.n2)) { try c["n1"].propose([1]) }
        c.filter = { _ in true }
        c.tickAll(1)
        #expect(c.delivered.contains { $0.payload == .timeoutNow && $0.to == Fixture.n2 })
        #expect(c["n2"].role == .leader)
        #expect(c["n2"].term == term + 1)
        #expect(c["n1"].role == .follower)
        #expect(c.appliedTexts("n2") == ["x"])
    }

    @Test func transferToLearnerIsRefused() throws {
        var c = TestCluster(voters: ["n1", "n2"], learners: ["l1"])
        c.campaign("n1")
        #expect(throws: Raft.ProposalError.invalidTransferTarget(NodeID("l1"))) {
            try c["n1"].transferLeadership(to: NodeID("l1"))
        }
    }
}

extension Raft.Message.Payload {
    var isVoteRequest: Bool {
        switch self {
        case .vote, .preVote: true
        case .preVoteResponse, .voteResponse, .append, .appendResponse, .heartbeat, .heartbeatResponse, .snapshot, .timeoutNow: false
        }
    }
}

/// A voter that comes back under its name with an empty disk (a replaced machine): the
/// leader's match index for it is a promise the new disk does not keep, so appends are
/// rejected forever. The leader notices (a rejection below the match index) and names it,
/// so the agent can remove it and add it back as a learner.
@Suite struct RaftLostLogTests {
    @Test func aVoterBackWithAnEmptyDiskIsNamedAndCatchesUpOnceReadded() throws {
        var c = TestCluster(voters: ["n1", "n2", "n3"])
        c.campaign("n1")
        try c.propose("n1", "a")
        try c.propose("n1", "b")
        #expect(c["n1"].membersThatLostTheirLog.isEmpty)
        c.addEmptyNode("n3")
        try c.propose("n1", "c")
        c.tickAll(5)
        c.stabilize()
        #expect(c["n1"].membersThatLostTheirLog == [NodeID("n3")])
        #expect(c.appliedTexts("n3").isEmpty, "stuck: the leader resends above what n3 holds")

        try c["n1"].proposeConfChange(Raft.ConfChange(.remove, NodeID("n3")))
        c.stabilize()
        #expect(c["n1"].membersThatLostTheirLog.isEmpty, "its progress is gone with it")
        try c["n1"].proposeConfChange(Raft.ConfChange(.addLearner, NodeID("n3")))
        c.stabilize()
        try c.propose("n1", "d")
        c.tickAll(5)
        c.stabilize()
        #expect(c.appliedTexts("n3") == ["a", "b", "c", "d"])
        #expect(c["n1"].membersThatLostTheirLog.isEmpty)
    }
}
