/// The replicated data model: Kubernetes-shaped objects (StatefulSet, Service, Pod,
/// PersistentVolumeClaim, PersistentVolume, Node, ControllerRevision, Event, Namespace,
/// PodDisruptionBudget) and the
/// commands that change them.
///
/// Every agent holds a ``ClusterState`` and applies the same committed commands in the same
/// order, so every replica is identical. ``ClusterState/apply(_:at:)`` is deterministic and
/// time-free: a wall-clock time travels inside the ``ClusterProposal``, chosen by the
/// proposer, and identifiers derive from the Raft index. Objects are `Codable` with
/// Kubernetes' JSON field names, so the API and the database speak the same shapes.
package struct ClusterState: Sendable, Equatable {
    package var statefulSets: [ObjectKey: StatefulSet] = [:]
    package var services: [ObjectKey: Service] = [:]
    package var pods: [ObjectKey: Pod] = [:]
    package var claims: [ObjectKey: PersistentVolumeClaim] = [:]
    package var volumes: [ObjectKey: PersistentVolume] = [:]
    package var nodes: [ObjectKey: Node] = [:]
    package var revisions: [ObjectKey: ControllerRevision] = [:]
    package var events: [ObjectKey: Event] = [:]
    package var namespaces: [ObjectKey: Namespace] = [:]
    package var budgets: [ObjectKey: PodDisruptionBudget] = [:]

    package init() {}
}
