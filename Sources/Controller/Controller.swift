import ClusterState

/// The StatefulSet controller and the scheduler, as pure functions of the replicated state.
///
/// ``Reconciler/reconcile(state:liveness:now:)`` looks at the committed ``ClusterState``, at
/// which nodes gossip says are alive and at the leader's wall-clock time, and returns the
/// commands that move the cluster toward what the StatefulSets ask for. It follows
/// Kubernetes' `stateful_set_control.go` (see `docs/controller.md` for where Ordinal
/// deliberately differs). It never mutates anything: the leader proposes the commands
/// through Raft, and every command carries preconditions (`uid`, existence) that `apply`
/// checks, so a pass computed by a deposed leader cannot create a second pod for an identity.
package enum Controller {}

/// Which nodes may receive work (gossip's view of the agents that are alive), and which are
/// lost: dead to gossip with a lease the leader knows has run out, so their pods may be
/// started elsewhere.
package struct Liveness: Sendable, Hashable {
    package var aliveNodes: Set<String>
    package var lostNodes: Set<String>

    package init(aliveNodes: Set<String>, lostNodes: Set<String> = []) {
        self.aliveNodes = aliveNodes
        self.lostNodes = lostNodes
    }
}
