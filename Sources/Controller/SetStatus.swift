import ClusterState

/// A StatefulSet's `status`, computed from its pods as Kubernetes' `computeReplicaStatus`
/// does, including when the current revision catches up with the update revision.
enum SetStatus {
    /// The set with its new status, or nil when the stored status is already right.
    static func computed(set: StatefulSet, pods: [Int: Pod], plan: RevisionPlan, now: Timestamp) -> StatefulSet? {
        let minReady = set.spec.minReadySeconds ?? 0
        let live = pods.values.filter { !$0.isTerminating }
        var status = StatefulSet.Status(replicas: pods.count)
        status.observedGeneration = set.metadata.generation
        status.readyReplicas = pods.values.count { $0.isRunningAndReady }
        status.availableReplicas = pods.values.count { $0.isAvailable(minReadySeconds: minReady, now: now) }
        status.currentReplicas = live.count { PodFactory.revision(of: $0) == plan.current.metadata.name }
        status.updatedReplicas = live.count { PodFactory.revision(of: $0) == plan.update.metadata.name }
        status.updateRevision = plan.update.metadata.name
        let complete = !set.isOnDelete && status.updatedReplicas == status.readyReplicas
            && status.readyReplicas == status.replicas && status.replicas == set.replicas
        status.currentRevision = complete ? plan.update.metadata.name : plan.current.metadata.name
        if complete { status.currentReplicas = status.updatedReplicas }
        status.collisionCount = set.status?.collisionCount
        guard status != set.status else { return nil }
        var updated = set
        updated.status = status
        return updated
    }
}
