import Basics
import Testing
@testable import Consensus

/// The `Ready`/`advance` contract: what must wait for the disk and what may not.
@Suite struct RaftReadyTests {
    typealias F = Fixture

    /// Votes and append acknowledgements promise durability, so they wait for the persist;
    /// the leader's appends may leave at once (thesis §10.2.1).
    @Test func durablePromisesWaitForPersist() throws {
        var follower = F.node(terms: [1], term: 1)
        try follower.step(F.message(F.n2, F.n1, term: 2, .vote(.init(lastIndex: 1, lastTerm: 1))))
        var rd = follower.ready()
        #expect(rd.hardState == Raft.HardState(term: 2, vote: F.n2, commit: 0))
        #expect(rd.messagesNow.isEmpty)
        #expect(rd.messagesAfterPersist.map(\.payload) == [.voteResponse(granted: true)])
        follower.advance(rd)
        try follower.step(F.message(F.n2, F.n1, term: 2, .append(.init(prevIndex: 1, prevTerm: 1, entries: F.entries([2], from: 2), commit: 0))))
        rd = follower.ready()
        #expect(rd.entriesToAppend.map(\.index) == [2])
        #expect(rd.messagesAfterPersist.map(\.payload) == [.appendResponse(.init(index: 2))])

        var leader = F.node(terms: [1], term: 1)
        F.elect(&leader)
        let lrd = leader.ready()
        #expect(lrd.messagesNow.count == 2)
        #expect(lrd.messagesNow.allSatisfy { if case .append = $0.payload { true } else { false } })
    }

    /// A vote survives a restart: the restarted node does not vote twice in one term.
    @Test func voteSurvivesRestart() throws {
        var storage = MemoryRaftStorage.bootstrap(voters: [F.n1, F.n2, F.n3])
        var node = try RaftNode(id: F.n1, storage: storage, settings: F.settings, seed: 1)
        node.advance(node.ready())
        try node.step(F.message(F.n2, F.n1, term: 2, .vote(.init(lastIndex: 3, lastTerm: 1))))
        let rd = node.ready()
        storage.setHardState(try #require(rd.hardState))
        var restarted = try RaftNode(id: F.n1, storage: storage, settings: F.settings, seed: 2)
        restarted.advance(restarted.ready())
        try restarted.step(F.message(F.n3, F.n1, term: 2, .vote(.init(lastIndex: 3, lastTerm: 1))))
        #expect(restarted.ready().messagesAfterPersist.map(\.payload) == [.voteResponse(granted: false)])
    }

    /// A bootstrapped node learns its configuration by applying the bootstrap entries, and
    /// does not campaign before (its configuration could still change).
    @Test func bootstrapConfigurationAppliesFromLog() throws {
        let storage = MemoryRaftStorage.bootstrap(voters: [F.n1, F.n2], learners: [NodeID("l1")])
        var node = try RaftNode(id: F.n1, storage: storage, settings: F.settings, seed: 1)
        #expect(node.voters.isEmpty)
        let rd = node.ready()
        #expect(rd.committedEntries.map(\.kind) == [.confChange, .confChange, .confChange])
        node.advance(rd)
        #expect(node.voters == [F.n1, F.n2])
        #expect(node.learners == [NodeID("l1")])
        #expect(!node.hasReady)
    }

    /// Messages for someone else, or with impossible entries, are refused and change nothing.
    @Test func malformedMessagesAreRefused() {
        var node = F.node(terms: [1], term: 1)
        #expect(throws: Raft.StepError.wrongRecipient(F.n3)) {
            try node.step(F.message(F.n2, F.n3, term: 1, .timeoutNow))
        }
        let gap = Raft.Message.Append(prevIndex: 1, prevTerm: 1, entries: F.entries([1], from: 5), commit: 0)
        #expect(throws: Raft.StepError.self) { try node.step(F.message(F.n2, F.n1, term: 1, .append(gap))) }
        #expect(node.lastIndex == 1)
    }

    @Test func invalidSettingsRefuseToStart() {
        var s = Raft.Settings()
        s.electionTicks = 1
        #expect(throws: Raft.StartError.self) { try RaftNode(id: F.n1, storage: MemoryRaftStorage(), settings: s, seed: 1) }
    }
}
