import Basics
import Testing
@testable import Consensus

/// Log compaction and InstallSnapshot (thesis §5), ReadIndex (thesis §6.4).
@Suite struct RaftSnapshotReadIndexTests {
    /// A follower that needs compacted entries receives the leader's snapshot, installs it
    /// and then follows the log again.
    @Test func laggingFollowerGetsSnapshot() throws {
        var c = TestCluster(voters: ["n1", "n2", "n3"])
        c.campaign("n1")
        c.isolate("n3")
        for i in 0 ..< 10 { try c.propose("n1", "e\(i)") }
        let n1 = NodeID("n1")
        let made = c.nodes[n1]!.compact(through: c["n1"].appliedIndex, snapshotData: Array("state".utf8))
        let snapshot = try #require(made)
        try c.disks[n1]!.compact(snapshot)
        #expect(c["n1"].firstIndex == snapshot.index + 1)
        c.heal()
        c.tickAll(2)
        #expect(c.delivered.contains { if case .snapshot = $0.payload { $0.to == NodeID("n3") } else { false } })
        #expect(c["n3"].snapshotIndex == snapshot.index)
        #expect(c.disks[NodeID("n3")]!.snapshot().data == Array("state".utf8))
        try c.propose("n1", "after")
        #expect(c.appliedTexts("n3") == ["after"])
        #expect(c["n3"].appliedIndex == c["n1"].appliedIndex)
    }

    /// Compaction keeps what storage needs to restart: a node restarted from compacted
    /// storage resumes at the snapshot and re-applies only what follows.
    @Test func restartFromCompactedStorage() throws {
        var c = TestCluster(voters: ["n1"])
        c.campaign("n1")
        try c.propose("n1", "a")
        let id = NodeID("n1")
        let made = c.nodes[id]!.compact(through: c["n1"].appliedIndex, snapshotData: [7])
        let snapshot = try #require(made)
        try c.disks[id]!.compact(snapshot)
        try c.propose("n1", "b")
        c.restart("n1")
        #expect(c["n1"].snapshotIndex == snapshot.index)
        #expect(c.appliedTexts("n1") == ["b"])
        #expect(c["n1"].voters == [id])
    }

    /// Nothing new applied: nothing to compact.
    @Test func compactWithoutNewAppliedEntriesIsNil() {
        var node = Fixture.node(terms: [1], term: 1)
        #expect(node.compact(through: node.appliedIndex, snapshotData: []) == nil)
        #expect(node.compact(through: node.appliedIndex + 1, snapshotData: []) == nil)
    }

    /// ReadIndex answers only after a quorum acknowledged a heartbeat sent after the read.
    @Test func readIndexWaitsForHeartbeatQuorum() throws {
        var c = TestCluster(voters: ["n1", "n2", "n3"])
        c.campaign("n1")
        try c.propose("n1", "x")
        c.filter = { if case .heartbeatResponse = $0.payload { false } else { true } }
        try c["n1"].readIndex(context: [42])
        c.stabilize()
        #expect(c.readStates[NodeID("n1")] ?? [] == [])
        c.filter = { _ in true }
        c.tickAll(1)
        #expect(c.readStates[NodeID("n1")] == [Raft.ReadState(index: c["n1"].commitIndex, context: [42])])
    }

    /// An isolated leader cannot confirm reads (the stale-read anomaly Jepsen found).
    @Test func isolatedLeaderServesNoReads() throws {
        var c = TestCluster(voters: ["n1", "n2", "n3"])
        c.campaign("n1")
        c.isolate("n1")
        try c["n1"].readIndex(context: [1])
        c.tickAll(3)
        #expect(c.readStates[NodeID("n1")] ?? [] == [])
    }

    @Test func followerReadIndexReportsLeader() {
        var c = TestCluster(voters: ["n1", "n2", "n3"])
        c.campaign("n1")
        #expect(throws: Raft.ProposalError.notLeader(leaderHint: NodeID("n1"))) { try c["n2"].readIndex(context: []) }
    }

    /// A single voter confirms reads by itself.
    @Test func singleVoterReadsImmediately() throws {
        var c = TestCluster(voters: ["n1"])
        c.campaign("n1")
        try c["n1"].readIndex(context: [9])
        c.stabilize()
        #expect(c.readStates[NodeID("n1")] == [Raft.ReadState(index: c["n1"].commitIndex, context: [9])])
    }
}
