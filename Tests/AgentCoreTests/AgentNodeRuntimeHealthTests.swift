import Basics
import ClusterState
import Consensus
import Membership
import Testing
@testable import AgentCore

/// An agent's container runtime problem travels by gossip to every agent, and the leader's
/// controller pass turns it into the agent's Node condition.
@Suite struct AgentNodeRuntimeHealthTests {
    @Test func aRuntimeProblemIsGossipedThenWithdrawn() throws {
        var cluster = MiniCluster(count: 3, bootstrapExpect: 3)
        cluster.run(for: .seconds(5))
        let sick = try #require(cluster.nodes.values.map(\.id).sorted().last)
        let endpoint = try #require(cluster.endpoint(of: sick))
        let problem = "container runtime is down: CRI Status: unavailable: " + String(repeating: "x", count: 400)
        cluster.deliver(.runtimeHealth(problem: problem, now: cluster.now), to: endpoint)
        cluster.run(for: .seconds(3))
        for node in cluster.nodes.values {
            let seen = try #require(node.membership.member(sick)?.metadata[MetadataKey.runtimeProblem])
            #expect(seen.utf8.count == MetadataKey.maxRuntimeProblemBytes && problem.hasPrefix(seen), "cut to the bound, never dropped: \(seen.utf8.count)")
        }
        let members = try #require(cluster.nodes[endpoint]?.membership.members)
        var state = ClusterState()
        _ = state.apply(ClusterProposal(at: Timestamp(seconds: 1), commands: ControllerPass.commands(state: state, members: members, lost: [], now: Timestamp(seconds: 1))), at: 1)
        let ready = state.nodes[ObjectKey(namespace: "", name: sick.name)]?.status?.conditions?.first
        #expect(ready?.status == "False" && ready?.reason == "KubeletNotReady" && ready?.message?.hasPrefix("container runtime is down") == true, "\(String(describing: ready))")

        cluster.deliver(.runtimeHealth(problem: nil, now: cluster.now), to: endpoint)
        cluster.run(for: .seconds(3))
        #expect(cluster.nodes.values.allSatisfy { $0.membership.member(sick)?.metadata[MetadataKey.runtimeProblem] == nil })
    }
}
