import Basics
import Consensus
import Testing
@testable import AgentCore

/// The controller runs on the leader only, once it applied an entry of its own term, and
/// not right after the agent was paused.
@Suite struct ControllerGateTests {
    @Test func onlyTheLeaderMayRunTheController() throws {
        var cluster = MiniCluster(count: 3, bootstrapExpect: 3)
        cluster.run(for: .seconds(5))
        let leader = try #require(cluster.leaders.first)
        for node in cluster.nodes.values {
            #expect(node.mayRunController(now: cluster.now) == (node.id == leader), "\(node.id)")
        }
    }

    @Test func aLeaderWithoutAnAppliedEntryOfItsTermWaits() throws {
        var cluster = MiniCluster(count: 3, bootstrapExpect: 3)
        cluster.run(for: .seconds(5))
        let leader = try #require(cluster.leaders.first.flatMap { cluster.node($0) })
        #expect(ControllerGate.isOpen(raft: leader.raft, applied: leader.raft.appliedIndex))
        #expect(!ControllerGate.isOpen(raft: leader.raft, applied: 1), "entry 1 is of the bootstrap term")
    }

    @Test func aPausedLeaderWaitsForLivenessToSettle() throws {
        var cluster = MiniCluster(count: 1, bootstrapExpect: 1)
        cluster.run(for: .seconds(3))
        let endpoint = MiniCluster.address(1)
        #expect(cluster.nodes[endpoint]?.mayRunController(now: cluster.now) == true)
        cluster.now = cluster.now + .seconds(10)  // a SIGSTOP of ten seconds
        cluster.deliver(.tick(now: cluster.now), to: endpoint)
        #expect(cluster.nodes[endpoint]?.raft.role == .leader)
        #expect(cluster.nodes[endpoint]?.mayRunController(now: cluster.now) == false)
        cluster.run(for: .seconds(1))
        #expect(cluster.nodes[endpoint]?.mayRunController(now: cluster.now) == false)
        cluster.run(for: .milliseconds(1_100))
        #expect(cluster.nodes[endpoint]?.mayRunController(now: cluster.now) == true)
    }
}
