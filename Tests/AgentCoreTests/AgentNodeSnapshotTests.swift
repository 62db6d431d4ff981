import Basics
import Consensus
import Testing
@testable import AgentCore

/// The agent keeps its log bounded: it asks for the state every `snapshotEntries` applied
/// entries, compacts through it, and a node that needs discarded entries gets a snapshot.
@Suite struct AgentNodeSnapshotTests {
    /// Proposes `count` one-byte writes on the leader, a few per step, and runs until applied.
    private func write(_ count: Int, on cluster: inout MiniCluster) throws {
        let leader = try #require(cluster.leaders.first.flatMap { cluster.endpoint(of: $0) })
        let first = UInt64(cluster.committed.count + 1)
        for id in first ..< first + UInt64(count) {
            cluster.deliver(.propose(id: id, data: [UInt8(truncatingIfNeeded: id)], now: cluster.now), to: leader)
            if id % 10 == 0 { cluster.run(for: .milliseconds(10)) }
        }
        cluster.run(for: .milliseconds(500))
    }

    @Test func everyNodeCompactsItsLogAtTheThreshold() throws {
        var cluster = MiniCluster(count: 3, bootstrapExpect: 3, snapshotEntries: 50)
        cluster.run(for: .seconds(5))
        try write(400, on: &cluster)
        #expect(cluster.committed.count == 400)
        for (endpoint, node) in cluster.nodes {
            let snapshots = cluster.compactions[endpoint] ?? []
            #expect(snapshots.count >= 6, "\(node.id) compacted \(snapshots.count) times")
            #expect(node.raft.lastIndex - node.raft.snapshotIndex < 50 + 10, "\(node.id) holds \(node.raft.lastIndex - node.raft.snapshotIndex) entries")
            for snapshot in snapshots { #expect(snapshot.data == MiniCluster.state(at: snapshot.index)) }
            #expect(zip(snapshots, snapshots.dropFirst()).allSatisfy { $0.index < $1.index })
        }
    }

    @Test func belowTheThresholdNothingIsCompacted() throws {
        var cluster = MiniCluster(count: 3, bootstrapExpect: 3, snapshotEntries: 1_000)
        cluster.run(for: .seconds(5))
        try write(100, on: &cluster)
        #expect(cluster.compactions.isEmpty)
    }

    @Test func aLateNodeCatchesUpFromTheLeadersSnapshot() throws {
        var cluster = MiniCluster(count: 4, bootstrapExpect: 3, snapshotEntries: 50)
        let late = MiniCluster.address(4)
        cluster.crashed.insert(late)
        cluster.run(for: .seconds(5))
        try write(300, on: &cluster)
        cluster.crashed.remove(late)
        cluster.deliver(.start(seeds: [MiniCluster.address(1)], now: cluster.now), to: late)
        cluster.run(for: .seconds(8))
        let leader = try #require(cluster.leaders.first.flatMap { cluster.node($0) })
        let node = try #require(cluster.nodes[late])
        let installed = try #require(cluster.installs[late]?.last)
        #expect(installed.data == MiniCluster.state(at: installed.index))
        #expect(node.raft.appliedIndex == leader.raft.appliedIndex)
        #expect(leader.raft.learners.contains(node.id) || leader.raft.voters.contains(node.id))
    }
}
