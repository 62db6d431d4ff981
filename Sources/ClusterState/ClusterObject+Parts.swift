extension ClusterObject {
    /// The object with the defaults Kubernetes' API server fills in, so a re-applied
    /// manifest compares equal to what is stored.
    package var withDefaults: ClusterObject {
        switch self {
        case .statefulSet(let set): return .statefulSet(set.withDefaults)
        case .service(let service): return .service(service.withDefaults)
        case .pod(var pod):
            pod.apiVersion = "v1"
            pod.kind = "Pod"
            pod.spec = pod.spec.withDefaults
            return .pod(pod)
        case .persistentVolumeClaim(var claim):
            claim.apiVersion = "v1"
            claim.kind = "PersistentVolumeClaim"
            claim.spec.volumeMode = claim.spec.volumeMode ?? "Filesystem"
            return .persistentVolumeClaim(claim)
        case .persistentVolume(var volume):
            volume.apiVersion = "v1"
            volume.kind = "PersistentVolume"
            return .persistentVolume(volume)
        case .node(var node):
            node.apiVersion = "v1"
            node.kind = "Node"
            return .node(node)
        case .namespace(let namespace):
            return .namespace(namespace.withDefaults)
        case .podDisruptionBudget(var budget):
            budget.apiVersion = "policy/v1"
            budget.kind = "PodDisruptionBudget"
            return .podDisruptionBudget(budget)
        case .controllerRevision, .event:
            return self
        }
    }

    /// This object with `other`'s status (same kind; otherwise unchanged).
    package func replacingStatus(with other: ClusterObject) -> ClusterObject {
        switch (self, other) {
        case (.statefulSet(var object), .statefulSet(let source)): object.status = source.status; return .statefulSet(object)
        case (.service(var object), .service(let source)): object.status = source.status; return .service(object)
        case (.pod(var object), .pod(let source)): object.status = source.status; return .pod(object)
        case (.persistentVolumeClaim(var object), .persistentVolumeClaim(let source)):
            object.status = source.status
            return .persistentVolumeClaim(object)
        case (.persistentVolume(var object), .persistentVolume(let source)):
            object.status = source.status
            return .persistentVolume(object)
        case (.node(var object), .node(let source)): object.status = source.status; return .node(object)
        case (.namespace(var object), .namespace(let source)): object.status = source.status; return .namespace(object)
        case (.podDisruptionBudget(var object), .podDisruptionBudget(let source)):
            object.status = source.status
            return .podDisruptionBudget(object)
        default: return self
        }
    }

    /// Whether the desired state (`spec`, or the data of a revision or an event) differs;
    /// such a change bumps `metadata.generation`.
    package func specDiffers(from other: ClusterObject) -> Bool {
        switch (self, other) {
        case (.statefulSet(let a), .statefulSet(let b)): a.spec != b.spec
        case (.service(let a), .service(let b)): a.spec != b.spec
        case (.pod(let a), .pod(let b)): a.spec != b.spec
        case (.persistentVolumeClaim(let a), .persistentVolumeClaim(let b)): a.spec != b.spec
        case (.persistentVolume(let a), .persistentVolume(let b)): a.spec != b.spec
        case (.node(let a), .node(let b)): a.spec != b.spec
        case (.controllerRevision(let a), .controllerRevision(let b)): a.data != b.data || a.revision != b.revision
        case (.event(let a), .event(let b)): a.message != b.message || a.count != b.count
        case (.namespace(let a), .namespace(let b)): a.spec != b.spec
        case (.podDisruptionBudget(let a), .podDisruptionBudget(let b)): a.spec != b.spec
        default: true
        }
    }
}

extension ClusterObject {
    /// A pod's placement (`spec.nodeName` and its fencing epoch) changes only by `bind`; a
    /// client's update keeps what is stored.
    func keepingPlacement(of stored: ClusterObject) -> ClusterObject {
        guard case .pod(var pod) = self, case .pod(let old) = stored else { return self }
        pod.spec.nodeName = old.spec.nodeName
        var annotations = pod.metadata.annotations ?? [:]
        annotations[Pod.Keys.fencingEpoch] = old.metadata.annotations?[Pod.Keys.fencingEpoch]
        pod.metadata.annotations = annotations.isEmpty ? nil : annotations
        return .pod(pod)
    }
}

extension ObjectMeta {
    /// Stored metadata after a client's update: the client owns labels, annotations,
    /// owner references and finalizers; the system owns identity and lifecycle fields.
    package func updated(by client: ObjectMeta) -> ObjectMeta {
        var next = self
        next.labels = client.labels
        next.annotations = client.annotations
        next.ownerReferences = client.ownerReferences
        next.finalizers = client.finalizers
        return next
    }
}
