import Basics
import Consensus
import Testing
@testable import AgentCore

/// Writes reach the leader over the peer transport, ride out an election, and are taken
/// once however often they are handed over.
@Suite struct AgentNodeForwardTests {
    @Test func aWriteMadeWhileTheLeaderIsDeadIsCommittedByTheNextLeader() throws {
        var cluster = MiniCluster(count: 3, bootstrapExpect: 3)
        cluster.run(for: .seconds(5))
        let leader = try #require(cluster.leaders.first)
        cluster.crashed.insert(try #require(cluster.endpoint(of: leader)))
        let follower = try #require(cluster.nodes.values.map(\.id).sorted().first { $0 != leader })
        cluster.deliver(.propose(id: 7, data: [7], now: cluster.now), to: try #require(cluster.endpoint(of: follower)))
        cluster.run(for: .seconds(3))
        #expect(cluster.failed[7] == nil)
        #expect(cluster.committed[7] != nil, "the write waited for the new leader")
        #expect(cluster.leaders.first != leader)
    }

    @Test func withoutAMajorityAWriteFailsAfterTheWait() throws {
        var cluster = MiniCluster(count: 3, bootstrapExpect: 3)
        cluster.run(for: .seconds(5))
        let survivor = MiniCluster.address(1)
        cluster.crashed.formUnion([MiniCluster.address(2), MiniCluster.address(3)])
        cluster.run(for: .seconds(2))
        cluster.deliver(.propose(id: 9, data: [9], now: cluster.now), to: survivor)
        cluster.run(for: .seconds(3))
        #expect(cluster.committed[9] == nil)
        #expect(cluster.failed[9] == nil, "still within the wait")
        cluster.run(for: .seconds(2))
        guard case .noLeader? = cluster.failed[9] else {
            Issue.record("expected a no-leader failure, got \(String(describing: cluster.failed[9]))")
            return
        }
    }

    @Test func theLeaderTakesAHandedOverProposalOnce() throws {
        var cluster = MiniCluster(count: 3, bootstrapExpect: 3)
        cluster.run(for: .seconds(5))
        let leader = try #require(cluster.leaders.first)
        let follower = try #require(cluster.nodes.values.map(\.id).sorted().first { $0 != leader })
        let handOver = ForwardMessage.propose(from: follower, to: leader, id: 3, data: [3, 3])
        let endpoint = try #require(cluster.endpoint(of: leader))
        cluster.deliver(.forward(handOver, now: cluster.now), to: endpoint)
        cluster.deliver(.forward(handOver, now: cluster.now), to: endpoint)
        cluster.run(for: .milliseconds(500))
        cluster.deliver(.forward(handOver, now: cluster.now), to: endpoint)
        cluster.run(for: .milliseconds(500))
        let node = try #require(cluster.node(leader))
        let copies = node.raft.entries(node.raft.firstIndex, node.raft.lastIndex).filter { entry in
            ForwardedEntry.decode(entry.data).map { $0.origin == follower && $0.id == 3 } ?? false
        }
        #expect(copies.count == 1)
    }

    @Test(arguments: ["a1", "", String(repeating: "n", count: 255)])
    func forwardedEntriesRoundTrip(name: String) throws {
        let bytes = ForwardedEntry.encode(origin: NodeID(name), id: .max, command: [1, 2, 3])
        let decoded = try #require(ForwardedEntry.decode(bytes))
        #expect(decoded.origin == NodeID(name))
        #expect(decoded.id == .max)
        #expect(Array(decoded.command) == [1, 2, 3])
        #expect(ForwardedEntry.decode(Array(bytes.prefix(2 + name.utf8.count + 7))) == nil)
        #expect(ForwardedEntry.decode([0x10] + bytes.dropFirst()) == nil)
    }
}
