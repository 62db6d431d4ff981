import ClusterState

/// A set's PersistentVolumeClaims, `<template>-<set>-<ordinal>`: created before the pod,
/// reused when the ordinal comes back, owned (and so garbage-collected) only as
/// `persistentVolumeClaimRetentionPolicy` says (`Retain` by default).
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

    /// The owner references `persistentVolumeClaimRetentionPolicy` asks for, set on the claims
    /// of every pod the set has, as Kubernetes' `updateClaimOwnerRefForSetAndPod` does: our
    /// set's and pod's references scrubbed, then the set as controller under `whenDeleted:
    /// Delete` (while the pod is in range) and the pod as controller under `whenScaled:
    /// Delete` (once it is scaled down). Garbage collection (``OwnerCollector``) deletes a
    /// claim once its owners are gone. A claim another controller owns keeps only that one.
    func ownerReferenceUpdates(pods: [Int: Pod], range: Range<Int>) -> [ClusterCommand] {
        owned().compactMap { ordinal, claim in
            guard let pod = pods[ordinal], !claim.metadata.isTerminating else { return nil }
            let refs = wantedReferences(claim, pod: pod, scaledDown: !range.contains(ordinal))
            guard refs != (claim.metadata.ownerReferences ?? []) else { return nil }
            var updated = claim
            updated.metadata.ownerReferences = refs.isEmpty ? nil : refs
            return .update(.persistentVolumeClaim(updated))
        }
    }

    /// Under `whenScaled: Delete`, the claims of ordinals above the range whose pod was
    /// already gone when the set was scaled down: no pod ever owned them, so collection would
    /// never remove them. Deleted directly (Kubernetes, which sets the references only on pods
    /// it sees, leaves such a claim behind).
    func unownedScaledDownDeletions(pods: [Int: Pod], range: Range<Int>) -> [ClusterCommand] {
        guard set.deletesClaimsWhenScaled else { return [] }
        return owned().compactMap { ordinal, claim in
            guard !range.contains(ordinal), pods[ordinal] == nil, !claim.metadata.isTerminating,
                  !(claim.metadata.ownerReferences ?? []).contains(where: { $0.kind == "Pod" }) else { return nil }
            return .delete(.persistentVolumeClaim, ObjectKey(namespace: namespace, name: claim.metadata.name), uid: claim.metadata.uid)
        }
    }

    private func wantedReferences(_ claim: PersistentVolumeClaim, pod: Pod, scaledDown: Bool) -> [OwnerReference] {
        let isOurs = { (ref: OwnerReference) in
            (ref.kind == "StatefulSet" && ref.name == set.metadata.name) || (ref.kind == "Pod" && ref.name == pod.metadata.name)
        }
        var refs = (claim.metadata.ownerReferences ?? []).filter { !isOurs($0) }
        guard !refs.contains(where: { $0.controller == true }) else { return refs }
        if set.deletesClaimsWhenScaled && scaledDown {
            refs.append(OwnerReference(apiVersion: "v1", kind: "Pod", name: pod.metadata.name, uid: pod.metadata.uid ?? ""))
        } else if set.deletesClaimsWhenDeleted && !(set.deletesClaimsWhenScaled && scaledDown) {
            refs.append(PodFactory.owner(set))
        }
        return refs
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

/// Kubernetes' garbage collector, for claims: a claim whose owner references all name
/// objects that are gone (not found, or found with another uid) is deleted. A reference to a
/// kind Ordinal does not store counts as present, so nothing is collected on a guess.
enum OwnerCollector {
    static func deletions(state: ClusterState) -> [ClusterCommand] {
        state.claims.keys.sorted().compactMap { key in
            guard let claim = state.claims[key], !claim.metadata.isTerminating,
                  let refs = claim.metadata.ownerReferences, !refs.isEmpty,
                  refs.allSatisfy({ !exists($0, namespace: key.namespace, in: state) }) else { return nil }
            return .delete(.persistentVolumeClaim, key, uid: claim.metadata.uid)
        }
    }

    private static func exists(_ ref: OwnerReference, namespace: String, in state: ClusterState) -> Bool {
        let key = ObjectKey(namespace: namespace, name: ref.name)
        switch ref.kind {
        case "StatefulSet": return state.statefulSets[key]?.metadata.uid == ref.uid
        case "Pod": return state.pods[key]?.metadata.uid == ref.uid
        default: return true
        }
    }
}
