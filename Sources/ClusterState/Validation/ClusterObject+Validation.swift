/// Validation of objects a client submits, with Kubernetes' rules and wording, so a bad
/// manifest is refused before it is proposed and the client reads the message an API
/// server would have given (`StatefulSet.apps "web" is invalid: spec.replicas: ...`).
///
/// Validation is pure. The API runs it to answer a client at once; ``ClusterState/apply(_:at:)``
/// runs it again on every create and update, so an entry from any other path (a forwarded
/// command, a peer that is wrong) cannot store an object the rules refuse.
extension ClusterObject {
    /// Everything wrong with this object on its own, in a stable order (empty when valid).
    /// Unset fields are not errors where Kubernetes would default them.
    package func validationErrors() -> [FieldError] {
        switch self {
        case .statefulSet(let set):
            return StatefulSetRules.errors(set)
        case .service(let service):
            return ServiceRules.errors(service)
        case .pod(let pod):
            let spec = FieldPath("spec")
            return MetadataRules.errors(pod.metadata, namespaced: true, format: .dns1123Subdomain)
                + PodSpecRules.errors(pod.spec, at: spec) + PodSpecRules.podRestartPolicyErrors(pod.spec, at: spec)
        case .persistentVolumeClaim(let claim):
            return MetadataRules.errors(claim.metadata, namespaced: true, format: .dns1123Subdomain)
                + StorageRules.accessModeErrors(claim.spec.accessModes, at: FieldPath("spec").child("accessModes"))
        case .persistentVolume(let volume):
            return MetadataRules.errors(volume.metadata, namespaced: false, format: .dns1123Subdomain)
                + StorageRules.accessModeErrors(volume.spec.accessModes, at: FieldPath("spec").child("accessModes"))
                + StorageRules.replicatedErrors(volume.spec.replicated, at: FieldPath("spec").child("replicated"))
        case .node(let node):
            return MetadataRules.errors(node.metadata, namespaced: false, format: .dns1123Subdomain)
        case .controllerRevision(let revision):
            return MetadataRules.errors(revision.metadata, namespaced: true, format: .dns1123Subdomain)
                + StatefulSetRules.nonNegative(Int(truncatingIfNeeded: revision.revision), at: FieldPath("revision"))
        case .event(let event):
            return MetadataRules.errors(event.metadata, namespaced: true, format: .dns1123Subdomain)
        case .namespace(let namespace):
            return MetadataRules.errors(namespace.metadata, namespaced: false, format: .dns1123Label)
        case .podDisruptionBudget(let budget):
            return DisruptionBudgetRules.errors(budget)
        }
    }

    /// What is wrong with replacing `old` (the stored object) by this one, beyond
    /// ``validationErrors()``, which the caller runs as well: a StatefulSet may change
    /// only the fields its controller can roll out. Other kinds, and a pair of different
    /// kinds, add nothing here.
    package func validateUpdate(from old: ClusterObject) -> [FieldError] {
        switch (self, old) {
        case (.statefulSet(let set), .statefulSet(let stored)): StatefulSetRules.updateErrors(set, from: stored)
        default: []
        }
    }
}

/// Rules for claims and volumes.
enum StorageRules {
    /// Kubernetes' access modes, in the sorted order its message lists them.
    static let accessModes = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"]

    /// At most this many copies of one volume (each is a whole copy of the data).
    static let maxReplicas = 8

    /// A replicated source names 1 to ``maxReplicas`` distinct nodes, the primary first.
    static func replicatedErrors(_ source: PersistentVolume.ReplicatedSource?, at path: FieldPath) -> [FieldError] {
        guard let source else { return [] }
        var errors: [FieldError] = []
        if !(1 ... maxReplicas).contains(source.replicas) {
            errors.append(.invalid(path.child("replicas"), .int(source.replicas), "must be between 1 and \(maxReplicas)"))
        }
        if source.nodes.isEmpty || source.nodes.count > maxReplicas || Set(source.nodes).count != source.nodes.count {
            errors.append(.invalid(path.child("nodes"), .string(source.nodes.joined(separator: ",")), "must name 1 to \(maxReplicas) distinct nodes"))
        }
        if !(1 ... PersistentVolume.maxCounter).contains(source.epoch) {
            errors.append(.invalid(path.child("epoch"), .string(String(source.epoch)), "must be between 1 and \(PersistentVolume.maxCounter)"))
        }
        if source.nodes.first != source.primary {
            errors.append(.invalid(path.child("primary"), .string(source.primary), "must be the first of nodes"))
        }
        return errors
    }

    static func accessModeErrors(_ modes: [String]?, at path: FieldPath) -> [FieldError] {
        (modes ?? []).filter { !accessModes.contains($0) }.map { .notSupported(path, $0, supported: accessModes) }
    }
}
