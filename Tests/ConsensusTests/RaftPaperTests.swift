import Basics
import Testing
@testable import Consensus

/// Tests of the rules in Raft Figure 2 and §5, one rule per test.
@Suite struct RaftPaperTests {
    typealias F = Fixture

    /// §5.2: a follower that hears nothing for an election timeout campaigns; with PreVote
    /// (thesis §9.6) it first asks without raising its term.
    @Test(arguments: [(false, RaftNode.Role.candidate, UInt64(2)), (true, .preCandidate, 1)])
    func followerCampaignsAfterElectionTimeout(preVote: Bool, role: RaftNode.Role, term: UInt64) {
        var s = F.settings
        s.preVote = preVote
        var node = F.node(term: 1, settings: s)
        for _ in 0 ..< 2 * s.electionTicks { node.tick() }
        #expect(node.role == role)
        #expect(node.term == term)
        let requests = F.sent(&node)
        #expect(requests.map(\.to) == [F.n2, F.n3])
        #expect(requests.allSatisfy { $0.term == 2 })
    }

    /// §5.2 timeout randomization: the timeout lies in [electionTicks, 2·electionTicks).
    @Test(arguments: 1 ... 20)
    func electionTimeoutIsRandomizedInRange(seed: Int) {
        var storage = MemoryRaftStorage.bootstrap(voters: [F.n1, F.n2])
        storage.setHardState(Raft.HardState(term: 1, commit: 2))
        let node = try! RaftNode(id: F.n1, storage: storage, settings: F.settings, seed: UInt64(seed))
        #expect((10 ..< 20).contains(node.randomizedElectionTimeout))
    }

    /// §5.2 and §5.4.1: a vote is granted only to a candidate whose log is at least as up
    /// to date (higher last term, or same last term and at least as long).
    @Test(arguments: [
        (UInt64(2), UInt64(1), true), (3, 1, true), (1, 1, false), (1, 2, true), (0, 0, false), (5, 0, false),
    ])
    func voteRequiresUpToDateLog(lastIndex: UInt64, lastTerm: UInt64, granted: Bool) throws {
        var node = F.node(terms: [1, 1], term: 1)
        try node.step(F.message(F.n2, F.n1, term: 2, .vote(.init(lastIndex: lastIndex, lastTerm: lastTerm))))
        let replies = F.sent(&node)
        #expect(replies.map(\.payload) == [.voteResponse(granted: granted)])
        #expect(node.term == 2)
        #expect(node.vote == (granted ? F.n2 : nil))
    }

    /// §5.2: at most one vote per term, first come first served; a repeat request from the
    /// same candidate is granted again.
    @Test func onlyOneVotePerTerm() throws {
        var node = F.node(terms: [1], term: 1)
        try node.step(F.message(F.n2, F.n1, term: 2, .vote(.init(lastIndex: 1, lastTerm: 1))))
        try node.step(F.message(F.n3, F.n1, term: 2, .vote(.init(lastIndex: 1, lastTerm: 1))))
        try node.step(F.message(F.n2, F.n1, term: 2, .vote(.init(lastIndex: 1, lastTerm: 1))))
        #expect(F.sent(&node).map(\.payload) == [.voteResponse(granted: true), .voteResponse(granted: false), .voteResponse(granted: true)])
    }

    /// Figure 2, "All Servers": a higher term in any message makes the node a follower of
    /// that term.
    @Test(arguments: [RaftNode.Role.follower, .candidate, .leader])
    func higherTermTurnsAnyRoleIntoFollower(role: RaftNode.Role) throws {
        var node = F.node(terms: [1], term: 1)
        switch role {
        case .candidate: node.campaign(transfer: false)
        case .leader: F.elect(&node)
        case .follower, .preCandidate: break
        }
        #expect(node.role == role)
        try node.step(F.message(F.n2, F.n1, term: 9, .append(.init(prevIndex: 1, prevTerm: 1, entries: [], commit: 0))))
        #expect(node.role == .follower)
        #expect(node.term == 9)
        #expect(node.leader == F.n2)
    }

    /// Figure 2: a request with a stale term is rejected; the node keeps its term.
    @Test func staleTermAppendIsIgnored() throws {
        var node = F.node(terms: [1, 2], term: 3)
        try node.step(F.message(F.n2, F.n1, term: 2, .append(.init(prevIndex: 2, prevTerm: 2, entries: F.entries([2], from: 3), commit: 3))))
        #expect(node.term == 3)
        #expect(node.lastIndex == 2)
        #expect(node.commitIndex == 0)
    }

    /// Figure 2, AppendEntries steps 2–3 (§5.3): reject on a missing or mismatched
    /// `prevIndex`, truncate a conflicting suffix, keep a matching one.
    @Test(arguments: [
        // (prevIndex, prevTerm, new entry terms, accepted, resulting log terms)
        (UInt64(3), UInt64(2), [UInt64](), true, [UInt64(1), 2, 2]),
        (3, 3, [], false, [1, 2, 2]),           // term mismatch at prevIndex
        (5, 2, [], false, [1, 2, 2]),           // prevIndex beyond the log
        (1, 1, [3], true, [1, 3]),              // conflict at 2: truncate, append
        (1, 1, [2], true, [1, 2, 2]),           // matching prefix: nothing truncated
        (2, 2, [2, 4, 4], true, [1, 2, 2, 4, 4]),
        (0, 0, [1, 2, 2, 2], true, [1, 2, 2, 2]),
    ])
    func appendChecksPrevAndTruncatesConflicts(prevIndex: UInt64, prevTerm: UInt64, terms: [UInt64], accepted: Bool, result: [UInt64]) throws {
        var node = F.node(terms: [1, 2, 2], term: 4)
        let entries = F.entries(terms, from: prevIndex + 1)
        try node.step(F.message(F.n2, F.n1, term: 4, .append(.init(prevIndex: prevIndex, prevTerm: prevTerm, entries: entries, commit: 0))))
        guard case .appendResponse(let r) = F.sent(&node).first?.payload else {
            Issue.record("no append response")
            return
        }
        #expect((r.rejection == nil) == accepted)
        #expect(F.logTerms(node) == result)
    }

    /// §5.3 fast backtracking: the rejection hints the largest index whose term is at most
    /// the leader's `prevTerm`.
    @Test func rejectionHintSkipsConflictingTerm() throws {
        var node = F.node(terms: [1, 2, 2, 2, 2], term: 5)
        try node.step(F.message(F.n2, F.n1, term: 5, .append(.init(prevIndex: 5, prevTerm: 1, entries: [], commit: 0))))
        let reply = F.sent(&node).first?.payload
        #expect(reply == .appendResponse(.init(index: 5, rejection: .init(hintIndex: 1, hintTerm: 1))))
    }

    /// Figure 2, step 5: the follower's commit index is `min(leaderCommit, last new entry)`.
    @Test func followerCommitIsBoundedByNewEntries() throws {
        var node = F.node(terms: [1, 1, 1], term: 1)
        try node.step(F.message(F.n2, F.n1, term: 1, .append(.init(prevIndex: 1, prevTerm: 1, entries: [], commit: 3))))
        #expect(node.commitIndex == 1)
        try node.step(F.message(F.n2, F.n1, term: 1, .append(.init(prevIndex: 1, prevTerm: 1, entries: F.entries([1], from: 2), commit: 3))))
        #expect(node.commitIndex == 2)
    }

    /// §5.4.2 (Figure 8): an entry from an earlier term is not committed by counting
    /// replicas; it commits once an entry of the current term does.
    @Test func onlyCurrentTermEntriesCommitByCounting() throws {
        var node = F.node(terms: [1, 2], term: 2)
        F.elect(&node)  // term 3; appends a no-op at index 3
        #expect(node.role == .leader)
        #expect(node.term == 3)
        _ = F.sent(&node)  // persists the no-op, so the leader counts itself
        try node.step(F.message(F.n2, F.n1, term: 3, .appendResponse(.init(index: 2))))
        #expect(node.commitIndex == 0, "index 2 (term 2) is on a majority but must not commit")
        try node.step(F.message(F.n2, F.n1, term: 3, .appendResponse(.init(index: 3))))
        #expect(node.commitIndex == 3)
    }

    /// The leader counts its own log only once persisted (thesis §10.2.1).
    @Test func leaderCountsItselfOnlyAfterPersisting() throws {
        var node = F.node(terms: [1], term: 1)
        F.elect(&node)
        let rd = node.ready()
        try node.step(F.message(F.n2, F.n1, term: 2, .appendResponse(.init(index: 2))))
        #expect(node.commitIndex == 0)
        node.advance(rd)
        #expect(node.commitIndex == 2)
    }

    /// §5.4.1 election restriction, hence Leader Completeness: a node that missed committed
    /// entries cannot win, and the winner holds every committed entry.
    @Test func staleNodeCannotWinAndLeaderHoldsCommittedEntries() throws {
        var c = TestCluster(voters: ["n1", "n2", "n3"], settings: F.settings)
        c.campaign("n1")
        c.isolate("n3")
        try c.propose("n1", "a")
        try c.propose("n1", "b")
        c.heal()
        c.isolate("n1")
        c.campaign("n3")
        #expect(c["n3"].role != .leader)
        c.campaign("n2")
        #expect(c["n2"].role == .leader)
        c.heal()
        try c.propose("n2", "c")
        c.tickAll(1)  // a heartbeat resumes the probe to n1, whose appends were cut
        #expect(c.appliedTexts("n3") == ["a", "b", "c"])
        #expect(c.appliedTexts("n1") == ["a", "b", "c"])
    }

    /// §5.3 Log Matching: a deposed leader's uncommitted suffix is overwritten, after which
    /// every log is identical.
    @Test func deposedLeaderSuffixIsOverwritten() throws {
        var c = TestCluster(voters: ["n1", "n2", "n3"], settings: F.settings)
        c.campaign("n1")
        try c.propose("n1", "committed")
        c.isolate("n1")
        try c.propose("n1", "lost-1")
        try c.propose("n1", "lost-2")
        c.campaign("n2")
        try c.propose("n2", "kept")
        c.heal()
        c.tickAll(1)  // heartbeats reach n1, which steps down and is repaired
        try c.propose("n2", "after")
        let logs = c.ids.map { id in c.nodes[id]!.entries(1, c.nodes[id]!.lastIndex).map { [$0.term, $0.index] } }
        #expect(Set(logs).count == 1)
        #expect(c.appliedTexts("n1") == ["committed", "kept", "after"])
    }

    /// A follower refuses proposals and points at the leader.
    @Test func followerRefusesProposalWithLeaderHint() {
        var c = TestCluster(voters: ["n1", "n2", "n3"], settings: F.settings)
        c.campaign("n1")
        #expect(throws: Raft.ProposalError.notLeader(leaderHint: F.n1)) { try c.propose("n2", "x") }
    }
}
