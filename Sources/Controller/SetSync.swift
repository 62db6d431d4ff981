import ClusterState

/// One StatefulSet's share of a controller pass (Kubernetes' `updateStatefulSet`): keep one
/// pod per ordinal in range, remove the rest, roll pods to the update revision, report
/// status. In `OrderedReady` mode any wait ends the pass for this set.
struct SetSync {
    let set: StatefulSet
    let state: ClusterState
    let pods: [Int: Pod]
    let now: Timestamp
    private(set) var commands: [ClusterCommand] = []

    init(set: StatefulSet, state: ClusterState, pods: [Int: Pod], now: Timestamp) {
        self.set = set
        self.state = state
        self.pods = pods
        self.now = now
    }

    var namespace: String { self.set.metadata.namespace ?? "default" }
    var range: Range<Int> { self.set.ordinalStart ..< set.ordinalStart + max(0, set.replicas) }
    var monotonic: Bool { !set.isParallel }
    var minReadySeconds: Int { self.set.spec.minReadySeconds ?? 0 }
    var claims: SetClaims { SetClaims(set: set, state: state) }

    mutating func run() -> [ClusterCommand] {
        if set.metadata.isTerminating {
            teardown()
            return commands
        }
        let plan = RevisionPlan(set: set, state: state, pods: pods)
        commands += plan.commands
        commands += claims.ownerReferenceUpdates(pods: pods, range: range)
        commands += claims.unownedScaledDownDeletions(pods: pods, range: range)
        if syncReplicas(plan), removeCondemned() {
            rollUpdate(plan)
        }
        if let status = SetStatus.computed(set: set, pods: pods, plan: plan, now: now) {
            commands.append(.updateStatus(.statefulSet(status)))
        }
        commands += plan.truncation(pods: pods)
        return commands
    }

    // MARK: Replicas in range (Kubernetes' processReplica)

    /// Most pods one pass creates for one set. Kubernetes creates a `Parallel` set's pods
    /// in one sync; a bound keeps a pass (and its entry) small whatever `replicas` says, up
    /// to 2³¹−1, and the next pass creates the next batch.
    static let maxCreationsPerPass = 100

    /// Returns false when the pass must stop here (a monotonic wait, a creation, or the
    /// pass's creations at their bound).
    private mutating func syncReplicas(_ plan: RevisionPlan) -> Bool {
        var created = 0
        for ordinal in range {
            guard created < Self.maxCreationsPerPass else { return false }
            guard let pod = pods[ordinal] else {
                guard claims.noneTerminating(ordinal: ordinal) else {
                    if monotonic { return false }
                    continue
                }
                commands += claims.missingCreations(ordinal: ordinal)
                let revision = ordinal < set.ordinalStart + set.partition && !set.isOnDelete ? plan.current : plan.update
                commands.append(.create(.pod(PodFactory.pod(set: set, ordinal: ordinal, revision: revision))))
                created += 1
                if monotonic { return false }
                continue
            }
            if !pod.isTerminating, let restored = PodFactory.restoringIdentity(pod, set: set, ordinal: ordinal) {
                commands.append(.update(.pod(restored)))
            }
            if pod.phase == Pod.Phase.failed || pod.phase == Pod.Phase.succeeded {
                if !pod.isTerminating { commands.append(delete(pod)) }
                if monotonic { return false }
                continue
            }
            if pod.phase == Pod.Phase.pending { commands += claims.missingCreations(ordinal: ordinal) }
            if pod.isTerminating {
                if monotonic { return false }
                continue
            }
            if !pod.isAvailable(minReadySeconds: minReadySeconds, now: now) {
                if isStuckOnAbandonedRevision(pod, ordinal: ordinal, plan: plan) { commands.append(delete(pod)) }
                if monotonic { return false }
            }
        }
        return true
    }

    /// Ordinal's fix for kubernetes/kubernetes#67250: a pod that is not Running and Ready,
    /// sits in the rolling-update range and carries a revision that is no longer the update
    /// revision (the template was reverted or changed again) is replaced, instead of
    /// blocking the rollout until someone deletes it by hand.
    private func isStuckOnAbandonedRevision(_ pod: Pod, ordinal: Int, plan: RevisionPlan) -> Bool {
        guard !set.isOnDelete, !pod.isRunningAndReady, ordinal >= set.ordinalStart + set.partition else { return false }
        return PodFactory.revision(of: pod) != plan.update.metadata.name
    }

    // MARK: Condemned pods (scale down)

    /// Highest ordinal first; in monotonic mode one at a time, each after its successor is
    /// gone, and not while a lower pod is unhealthy (unless it is itself the unhealthy one).
    private mutating func removeCondemned() -> Bool {
        let condemned = pods.filter { !range.contains($0.key) }.sorted { $0.key > $1.key }.map(\.value)
        let firstUnhealthy = condemned.first { !$0.isAvailable(minReadySeconds: minReadySeconds, now: now) || $0.isTerminating }
        for pod in condemned {
            if pod.isTerminating {
                if monotonic { return false }
                continue
            }
            if monotonic, !pod.isAvailable(minReadySeconds: minReadySeconds, now: now), pod != firstUnhealthy {
                return false
            }
            commands.append(delete(pod))
            if monotonic { return false }
        }
        return condemned.isEmpty || !monotonic
    }

    // MARK: Rolling update

    /// Deletes outdated pods from the highest ordinal down to the partition, as many as
    /// `maxUnavailable` allows given the pods already unavailable anywhere in range; the
    /// replacements come from the replica pass at the update revision.
    private mutating func rollUpdate(_ plan: RevisionPlan) {
        guard !set.isOnDelete else { return }
        let maxUnavailable = max(1, set.spec.updateStrategy?.rollingUpdate?.maxUnavailable?.scaled(against: set.replicas) ?? 1)
        // Over the pods that exist, not the whole range: `replicas` may be 2³¹−1.
        let present = pods.filter { range.contains($0.key) }
        let unavailable = (range.count - present.count) + present.values.count { pod in
            pod.isTerminating || !pod.isAvailable(minReadySeconds: minReadySeconds, now: now)
        }
        guard unavailable < maxUnavailable else { return }
        var budget = maxUnavailable - unavailable
        for (ordinal, pod) in present.sorted(by: { $0.key > $1.key }) where ordinal >= set.ordinalStart + set.partition && budget > 0 {
            guard !pod.isTerminating, PodFactory.revision(of: pod) != plan.update.metadata.name else { continue }
            commands.append(delete(pod))
            budget -= 1
        }
    }

    // MARK: Deleting the set

    /// A deleted set removes its pods highest ordinal first, one at a time; then its revisions,
    /// and finally itself (its claims under `whenDeleted: Delete` then go with their owner,
    /// through ``OwnerCollector``).
    private mutating func teardown() {
        if let highest = pods.max(by: { $0.key < $1.key })?.value {
            if !highest.isTerminating { commands.append(delete(highest)) }
            return
        }
        commands += RevisionPlan.owned(by: set, in: state).map { revision in
            .delete(.controllerRevision, ObjectKey(namespace: namespace, name: revision.metadata.name), uid: revision.metadata.uid)
        }
        commands.append(.finalize(.statefulSet, ObjectKey(namespace: namespace, name: set.metadata.name), uid: set.metadata.uid ?? ""))
    }

    private func delete(_ pod: Pod) -> ClusterCommand {
        .delete(.pod, ObjectKey(namespace: namespace, name: pod.metadata.name), uid: pod.metadata.uid)
    }
}
