import Basics
import Consensus
import Testing
@testable import AgentCore

/// The node decides when the controller and the pod passes run: the controller on the
/// leader only, one pass in flight at a time, each proposed only in the term it was asked
/// for; pod reports from any agent reach the leader like any write.
@Suite struct AgentNodeOwnWorkTests {
    private func settled() throws -> (MiniCluster, leader: Endpoint, follower: Endpoint) {
        var cluster = MiniCluster(count: 3, bootstrapExpect: 3)
        cluster.run(for: .seconds(5))
        let leader = try #require(cluster.leaders.first.flatMap { cluster.endpoint(of: $0) })
        let follower = try #require(cluster.nodes.keys.sorted().first { $0 != leader })
        return (cluster, leader, follower)
    }

    @Test func onlyTheLeaderIsAskedForControllerPassesAndOnlyOneAtATime() throws {
        let (cluster, leader, _) = try settled()
        #expect(Set(cluster.controllerPasses.keys) == [leader])
        let term = try #require(cluster.nodes[leader]?.raft.term)
        let asked = cluster.controllerPasses[leader] ?? []
        #expect(asked.allSatisfy { $0 == term } && (1 ... 2).contains(asked.count), "unanswered, a pass is asked again only after the wait: \(asked)")
        for endpoint in cluster.nodes.keys {
            #expect(cluster.podPasses[endpoint]?.first == true, "every agent runs its pods and reports")
        }
    }

    /// An answer that never comes (the shell's mailbox was full) holds the controller up only
    /// for the proposal wait.
    @Test func anUnansweredPassIsAskedAgainAfterTheWait() throws {
        var (cluster, leader, _) = try settled()
        let term = try #require(cluster.nodes[leader]?.raft.term)
        // Answer what is outstanding with "nothing to do"; the next change asks afresh.
        cluster.deliver(.controllerPassComputed(proposal: nil, term: term, now: cluster.now), to: leader)
        cluster.deliver(.stateChanged(now: cluster.now), to: leader)
        let asked = cluster.controllerPasses[leader]?.count ?? 0
        cluster.run(for: .seconds(3))
        #expect(cluster.controllerPasses[leader]?.count == asked, "still waiting for the answer")
        cluster.run(for: .seconds(2))
        #expect((cluster.controllerPasses[leader]?.count ?? 0) > asked, "asked again after the 4 s wait")
    }

    @Test func aPassIsProposedAndTheNextWaitsUntilItCommits() throws {
        var (cluster, leader, _) = try settled()
        let term = try #require(cluster.nodes[leader]?.raft.term)
        let lastBefore = try #require(cluster.nodes[leader]?.raft.lastIndex)
        let asked = cluster.controllerPasses[leader]?.count ?? 0
        cluster.deliver(.controllerPassComputed(proposal: [42], term: term, now: cluster.now), to: leader)
        cluster.deliver(.stateChanged(now: cluster.now), to: leader)
        let node = try #require(cluster.nodes[leader])
        #expect(node.raft.lastIndex == lastBefore + 1)
        #expect(node.raft.entries(lastBefore + 1, lastBefore + 1).first?.data == [42])
        #expect(cluster.controllerPasses[leader]?.count == asked, "no second pass while the first is in flight")
        cluster.run(for: .milliseconds(500))
        #expect(cluster.controllerPasses[leader]?.count == asked + 1, "the committed pass makes way for the next")
        #expect(!cluster.committed.keys.contains { $0 >= AgentNode.ownProposalIDs }, "the node's own proposals are not a client's")
    }

    @Test func aPassComputedForAnEarlierTermIsDropped() throws {
        var (cluster, leader, _) = try settled()
        let term = try #require(cluster.nodes[leader]?.raft.term)
        let lastBefore = try #require(cluster.nodes[leader]?.raft.lastIndex)
        cluster.deliver(.controllerPassComputed(proposal: [42], term: term - 1, now: cluster.now), to: leader)
        #expect(cluster.nodes[leader]?.raft.lastIndex == lastBefore)
    }

    @Test func aFollowersPodReportReachesTheLeaderAndTheNextFollows() throws {
        var (cluster, leader, follower) = try settled()
        let followerID = try #require(cluster.nodes[follower]?.id)
        let asked = cluster.podPasses[follower]?.count ?? 0
        cluster.deliver(.podsRan(report: [7, 7], now: cluster.now), to: follower)
        cluster.run(for: .seconds(1))
        let node = try #require(cluster.nodes[leader])
        let reports = node.raft.entries(node.raft.firstIndex, node.raft.lastIndex).filter { entry in
            ForwardedEntry.decode(entry.data).map { $0.origin == followerID && Array($0.command) == [7, 7] } ?? false
        }
        #expect(reports.count == 1)
        #expect(cluster.podPasses[follower]?.dropFirst(asked).contains(true) == true, "a settled report makes way for the next")
    }

    @Test func aClientCannotUseTheNodesOwnProposalIDs() throws {
        var (cluster, leader, _) = try settled()
        cluster.deliver(.propose(id: AgentNode.ownProposalIDs, data: [1], now: cluster.now), to: leader)
        guard case .refused? = cluster.failed[AgentNode.ownProposalIDs] else {
            Issue.record("expected a refusal, got \(String(describing: cluster.failed[AgentNode.ownProposalIDs]))")
            return
        }
    }
}
