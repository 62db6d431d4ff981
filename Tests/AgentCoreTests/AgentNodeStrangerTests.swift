import Basics
import Consensus
import Membership
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

    /// Any key holder can claim another agent left (gossip relays claims). The subject
    /// refutes it, and the leader waits `leftSettle` before it would remove a departed
    /// voter, so the claim removes no one.
    @Test func aForgedLeftClaimDoesNotRemoveAVoter() throws {
        var cluster = MiniCluster(count: 3, bootstrapExpect: 3)
        cluster.run(for: .seconds(5))
        let leader = try #require(cluster.leaders.first)
        let leaderEndpoint = try #require(cluster.endpoint(of: leader))
        let ids = cluster.nodes.values.map(\.id).sorted().filter { $0 != leader }
        let (forger, victim) = (ids[0], ids[1])
        let victimEndpoint = try #require(cluster.endpoint(of: victim))
        let before = try #require(cluster.nodes[victimEndpoint]?.membership.me.incarnation)
        let current = try #require(cluster.nodes[leaderEndpoint]?.membership.member(victim))
        var claim = current
        claim.status = .left
        let forged = Membership.Envelope(
            sender: forger, senderAddress: try #require(cluster.endpoint(of: forger)), message: .ack(sequence: 0), gossip: [claim]
        )
        // The victim cannot hear the claim for a while, so it cannot refute it yet: the
        // leader's reviews see an agent that "left" for 1.5 s.
        cluster.deafened.insert(victimEndpoint)
        cluster.deliver(.gossip(forged, now: cluster.now), to: leaderEndpoint)
        #expect(cluster.nodes[leaderEndpoint]?.membership.member(victim)?.status == .left, "the claim was taken")
        cluster.run(for: .milliseconds(1_500))
        #expect(cluster.nodes[leaderEndpoint]?.raft.voters.contains(victim) == true, "not removed within leftSettle")
        cluster.deafened = []
        cluster.run(for: .seconds(4))
        #expect(cluster.nodes[leaderEndpoint]?.raft.voters.contains(victim) == true)
        #expect(cluster.nodes[leaderEndpoint]?.membership.member(victim)?.status == .alive, "refuted")
        #expect((cluster.nodes[victimEndpoint]?.membership.me.incarnation ?? 0) > before, "the victim refuted by counting up")
    }
}
