import Basics
package import ClusterState
package import Controller
import Membership

/// One pass of the leader's controller, from what this agent knows: node registration for
/// every agent gossip knows (with the volume root, pod limit and runtime problem each
/// publishes), then
/// StatefulSet reconciliation against liveness — alive to gossip, and lost once gossip
/// says dead and the leader's ``LeaseBook`` says the lease has run out. The agent's
/// controller loop and the simulation call this one function.
package enum ControllerPass {
    /// - Parameter podCIDR: the cluster's pod addresses, which node blocks are carved from.
    package static func commands(
        state: ClusterState, members: [Membership.Member], lost: Set<NodeID>,
        podCIDR: AddressBlock = NodeRegistrar.loopbackPodCIDR, now: Timestamp
    ) -> [ClusterCommand] {
        let agents = members.filter { $0.status != .left }.map { member in
            NodeRegistrar.Agent(
                name: member.id.name, address: member.address.host,
                alive: member.status == .alive || member.status == .suspect,
                volumeRoot: member.metadata[MetadataKey.volumes],
                maxPods: member.metadata[MetadataKey.maxPods].flatMap(Int.init) ?? 110,
                volumePoolBytes: member.metadata[MetadataKey.volumePool].flatMap(Int64.init),
                runtimeProblem: member.metadata[MetadataKey.runtimeProblem]
            )
        }
        let liveness = Liveness(aliveNodes: Set(agents.filter(\.alive).map(\.name)), lostNodes: Set(lost.map(\.name)))
        return NodeRegistrar.commands(state: state, agents: agents, cluster: podCIDR, now: now)
            + Reconciler.reconcile(state: state, liveness: liveness, now: now)
    }
}
