import ClusterState

/// A set's PersistentVolumeClaims, `<template>-<set>-<ordinal>`: created before the pod,
/// reused when the ordinal comes back, deleted only as `persistentVolumeClaimRetentionPolicy`
/// says (`Retain` by default).
struct SetClaims {
    let set: StatefulSet
    let state: ClusterState

    private var namespace: String { self.set.metadata.namespace ?? "default" }
    private var templateNames: [String] { (set.spec.volumeClaimTemplates ?? []).compactMap(\.metadata.name) }

    private func key(_ template: String, _ ordinal: Int) -> ObjectKey {
        ObjectKey(namespace: namespace, name: set.claimName(template: template, ordinal: ordinal))
    }

    /// No claim of this ordinal is being deleted (a pod must not start on a dying claim).
    func noneTerminating(ordinal: Int) -> Bool {
        templateNames.allSatisfy { state.claims[key($0, ordinal)]?.metadata.isTerminating != true }
    }

    /// Creations of this ordinal's claims that do not exist yet.
    func missingCreations(ordinal: Int) -> [ClusterCommand] {
        (set.spec.volumeClaimTemplates ?? []).compactMap { template in
            guard let name = template.metadata.name, state.claims[key(name, ordinal)] == nil else { return nil }
            var labels = template.metadata.labels ?? [:]
            for (label, value) in set.spec.selector?.matchLabels ?? [:] { labels[label] = value }
            var metadata = ObjectMeta(name: key(name, ordinal).name, namespace: namespace, labels: labels)
            metadata.annotations = template.metadata.annotations
            if set.deletesClaimsWhenDeleted { metadata.ownerReferences = [PodFactory.owner(set)] }
            var claim = PersistentVolumeClaim(metadata: metadata, spec: template.spec)
            claim.status = PersistentVolumeClaim.Status(phase: "Pending")
            return .create(.persistentVolumeClaim(claim))
        }
    }

    /// With `whenScaled: Delete`, the claims of ordinals above the range whose pod is gone.
    func scaledDownDeletions(pods: [Int: Pod], range: Range<Int>) -> [ClusterCommand] {
        guard set.deletesClaimsWhenScaled else { return [] }
        return owned().compactMap { ordinal, claim in
            guard !range.contains(ordinal), pods[ordinal] == nil, !claim.metadata.isTerminating else { return nil }
            return deletion(claim)
        }
    }

    /// Every claim of the set, when the set is deleted with `whenDeleted: Delete`.
    func allDeletions() -> [ClusterCommand] {
        owned().filter { !$0.claim.metadata.isTerminating }.map { deletion($0.claim) }
    }

    /// The set's claims with their ordinals, found by name in the set's namespace.
    private func owned() -> [(ordinal: Int, claim: PersistentVolumeClaim)] {
        let prefixes = templateNames.map { $0 + "-" }
        return state.claims.values.compactMap { claim in
            guard claim.metadata.namespace == namespace else { return nil }
            for prefix in prefixes where claim.metadata.name.hasPrefix(prefix) {
                if let ordinal = PodIndex.ordinal(of: String(claim.metadata.name.dropFirst(prefix.count)), in: set.metadata.name) {
                    return (ordinal, claim)
                }
            }
            return nil
        }.sorted { $0.claim.metadata.name < $1.claim.metadata.name }
    }

    private func deletion(_ claim: PersistentVolumeClaim) -> ClusterCommand {
        .delete(.persistentVolumeClaim, ObjectKey(namespace: namespace, name: claim.metadata.name), uid: claim.metadata.uid)
    }
}

/// Claims deleted while a pod still used them are removed once no pod refers to them
/// (Kubernetes' `kubernetes.io/pvc-protection` finalizer).
enum ClaimReaper {
    static func finalizations(state: ClusterState) -> [ClusterCommand] {
        let terminating = state.claims.filter { $0.value.metadata.isTerminating }
        guard !terminating.isEmpty else { return [] }
        var inUse = Set<ObjectKey>()
        for pod in state.pods.values {
            for volume in pod.spec.volumes ?? [] {
                if let claim = volume.persistentVolumeClaim?.claimName {
                    inUse.insert(ObjectKey(namespace: pod.metadata.namespace ?? "default", name: claim))
                }
            }
        }
        return terminating.keys.sorted().compactMap { key in
            guard !inUse.contains(key), let uid = terminating[key]?.metadata.uid else { return nil }
            return .finalize(.persistentVolumeClaim, key, uid: uid)
        }
    }
}
