import Basics
import Consensus
import Membership
import Testing
@testable import AgentCore

@Suite struct AgentNodeRaftTests {
    @Test func threeAgentsExpectingThreeBootstrapOneLeader() {
        var cluster = MiniCluster(count: 3, bootstrapExpect: 3)
        cluster.run(for: .seconds(5))
        #expect(cluster.leaders.count == 1)
        for node in cluster.nodes.values {
            #expect(node.raft.voters == [NodeID("n1"), NodeID("n2"), NodeID("n3")])
            #expect(node.membership.me.metadata[MetadataKey.raft] == "voter")
        }
    }

    @Test func agentsWithoutBootstrapExpectNeverFoundACluster() {
        var cluster = MiniCluster(count: 3, bootstrapExpect: nil)
        cluster.run(for: .seconds(3))
        #expect(cluster.leaders.isEmpty)
        #expect(cluster.nodes.values.allSatisfy { $0.raft.voters.isEmpty })
    }

    @Test func aProposalOnTheLeaderOrAFollowerCommits() throws {
        var cluster = MiniCluster(count: 3, bootstrapExpect: 3)
        cluster.run(for: .seconds(5))
        let leader = try #require(cluster.leaders.first)
        let follower = try #require(cluster.nodes.values.map(\.id).sorted().first { $0 != leader })
        cluster.deliver(.propose(id: 1, data: [1, 2, 3], now: cluster.now), to: try #require(cluster.endpoint(of: leader)))
        cluster.deliver(.propose(id: 2, data: [4], now: cluster.now), to: try #require(cluster.endpoint(of: follower)))
        cluster.run(for: .milliseconds(500))
        #expect(cluster.committed[1] != nil)
        let index = try #require(cluster.committed[2], "a follower hands the write to the leader: \(String(describing: cluster.failed[2]))")
        let node = try #require(cluster.node(follower))
        #expect(node.raft.appliedIndex >= index, "answered only once applied on the proposer")
    }

    @Test func laterAgentsJoinAsLearners() {
        var cluster = MiniCluster(count: 5, bootstrapExpect: 3)
        cluster.run(for: .seconds(8))
        #expect(cluster.leaders.count == 1)
        let any = cluster.nodes.values.first!
        #expect(any.raft.voters.count == 3)
        #expect(any.raft.learners.count == 2)
    }

    @Test func aDeadVoterIsReplacedByALiveLearner() throws {
        var cluster = MiniCluster(count: 4, bootstrapExpect: 3, replaceDeadVoterAfter: .seconds(2))
        cluster.run(for: .seconds(6))
        let leader = try #require(cluster.leaders.first)
        let leaderNode = try #require(cluster.node(leader))
        let victim = try #require(leaderNode.raft.voters.first { $0 != leader })
        cluster.crashed.insert(try #require(cluster.endpoint(of: victim)))
        cluster.run(for: .seconds(20))
        let survivor = try #require(cluster.leaders.first.flatMap { cluster.node($0) })
        #expect(survivor.raft.voters.count == 3)
        #expect(!survivor.raft.voters.contains(victim))
        #expect(survivor.raft.learners.isEmpty)
    }

    @Test func leadershipTransferMovesTheLeader() throws {
        var cluster = MiniCluster(count: 3, bootstrapExpect: 3)
        cluster.run(for: .seconds(5))
        let leader = try #require(cluster.leaders.first)
        cluster.deliver(.transferLeadership(now: cluster.now), to: try #require(cluster.endpoint(of: leader)))
        cluster.run(for: .seconds(1))
        #expect(cluster.leaders.count == 1)
        #expect(cluster.leaders.first != leader)
    }
}
