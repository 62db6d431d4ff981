import Basics
import Consensus
import Testing
@testable import AgentCore

/// Raft and lease traffic counts only from agents this node knows: members of its Raft
/// configuration or live gossip members. A stranger's term does not move anyone's.
@Suite struct AgentNodeStrangerTests {
    @Test func aStrangersHighTermMovesNoTerm() throws {
        var cluster = MiniCluster(count: 3, bootstrapExpect: 3)
        cluster.run(for: .seconds(5))
        let leader = try #require(cluster.leaders.first)
        let terms = cluster.nodes.mapValues(\.raft.term)
        for (endpoint, node) in cluster.nodes.sorted(by: { $0.key < $1.key }) {
            let forged = Raft.Message(from: NodeID("stranger"), to: node.id, term: 1 << 40, payload: .heartbeat(.init(commit: 0)))
            cluster.deliver(.raft(forged, now: cluster.now), to: endpoint)
        }
        #expect(cluster.nodes.mapValues(\.raft.term) == terms)
        cluster.run(for: .seconds(1))
        #expect(cluster.leaders == [leader], "the cluster keeps its leader")
    }

    @Test func aMembersHighTermIsStillRaft() throws {
        var cluster = MiniCluster(count: 3, bootstrapExpect: 3)
        cluster.run(for: .seconds(5))
        let leader = try #require(cluster.leaders.first)
        let follower = try #require(cluster.nodes.values.map(\.id).sorted().first { $0 != leader })
        let endpoint = try #require(cluster.endpoint(of: leader))
        let response = Raft.Message(from: follower, to: leader, term: 1_000, payload: .heartbeatResponse(.init()))
        cluster.deliver(.raft(response, now: cluster.now), to: endpoint)
        #expect(cluster.nodes[endpoint]?.raft.term == 1_000, "a member's higher term deposes the leader, as Raft says")
    }
}
