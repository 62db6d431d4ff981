import AgentCore
import Basics
import ClusterState
import Membership
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What `kubectl apply` / `ordinal apply` puts through a follower's API and the leader's
/// controller: a JSON manifest decoded as a ``ClusterState/ClusterObject`` (the API's
/// decoder), validated, created in a cluster of three registered nodes, then two controller
/// passes (``AgentCore/ControllerPass``, which the leader runs) applied as entries, the
/// object deleted, and one pass more. Traps only if a step traps: refusals are answers.
enum ManifestTarget {
    static let at = Timestamp(seconds: 1_795_255_445)
    static let members = (1...3).map { index in
        Membership.Member(
            id: NodeID("n\(index)"), address: Endpoint(host: "10.0.0.\(index)", port: 7400), status: .alive, incarnation: 1,
            metadata: [MetadataKey.volumes: "/data/n\(index)/volumes"]
        )
    }
    /// Three nodes, registered by the controller as a new cluster's first pass registers them.
    static let base: (state: ClusterState, index: UInt64) = {
        var cluster = (state: ClusterState(), index: UInt64(0))
        pass(&cluster)
        return cluster
    }()

    static func run(_ data: [UInt8]) {
        guard var object = try? JSONDecoder().decode(ClusterObject.self, from: Data(data)) else { return }
        if object.kind.isNamespaced && object.metadata.namespace == nil { object.metadata.namespace = "default" }
        guard object.validationErrors().isEmpty else { return }
        var cluster = base
        apply([.create(object)], to: &cluster)
        pass(&cluster)
        pass(&cluster)
        apply([.delete(object.kind, object.key, uid: nil)], to: &cluster)
        pass(&cluster)
    }

    static func pass(_ cluster: inout (state: ClusterState, index: UInt64)) {
        let commands = ControllerPass.commands(state: cluster.state, members: members, lost: [], now: at)
        apply(commands, to: &cluster)
    }

    static func apply(_ commands: [ClusterCommand], to cluster: inout (state: ClusterState, index: UInt64)) {
        guard !commands.isEmpty else { return }
        cluster.index += 1
        _ = cluster.state.apply(ClusterProposal(at: at, commands: commands), at: cluster.index)
    }
}
