import ClusterState

/// Gives a pod's claims their volumes. Today every volume is a directory on the node that
/// first runs the pod (storage class `local` semantics; replicated volumes are a later
/// capability), so a claim bound once pins its pod to that node.
struct ClaimBinder {
    let state: ClusterState

    private func claims(of pod: Pod) -> [PersistentVolumeClaim] {
        let namespace = pod.metadata.namespace ?? "default"
        return (pod.spec.volumes ?? []).compactMap { volume in
            volume.persistentVolumeClaim.flatMap { state.claims[ObjectKey(namespace: namespace, name: $0.claimName)] }
        }
    }

    /// The node holding a volume already bound to one of the pod's claims.
    func pinnedNode(of pod: Pod) -> String? {
        claims(of: pod).lazy.compactMap { claim in
            claim.spec.volumeName.flatMap { state.volumes[ObjectKey(namespace: "", name: $0)]?.node }
        }.first
    }

    /// For each unbound claim: a volume on `node` and the claim bound to it.
    func bindings(for pod: Pod, on node: Node) -> [ClusterCommand] {
        claims(of: pod).filter { $0.spec.volumeName == nil && $0.metadata.uid != nil }.flatMap { claim -> [ClusterCommand] in
            let name = "pvc-" + (claim.metadata.uid ?? "")
            var volume = PersistentVolume(metadata: ObjectMeta(name: name), spec: PersistentVolume.Spec())
            volume.spec.capacity = claim.requestedStorage.map { ["storage": $0] }
            volume.spec.accessModes = claim.spec.accessModes
            volume.spec.storageClassName = claim.spec.storageClassName
            volume.spec.persistentVolumeReclaimPolicy = "Delete"
            volume.spec.claimRef = .init(namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid)
            volume.spec.local = .init(path: Self.volumeRoot(of: node) + name)
            volume.spec.nodeAffinity = .init(node: node.metadata.name)
            volume.status = .init(phase: "Bound")
            var bound = claim
            bound.spec.volumeName = name
            var boundStatus = bound
            boundStatus.metadata.resourceVersion = nil
            boundStatus.status = .init(phase: "Bound")
            boundStatus.status?.accessModes = claim.spec.accessModes
            boundStatus.status?.capacity = volume.spec.capacity
            return [.create(.persistentVolume(volume)), .update(.persistentVolumeClaim(bound)), .updateStatus(.persistentVolumeClaim(boundStatus))]
        }
    }

    /// Where the node keeps volumes: its `ordinal.dev/volume-root` annotation.
    static func volumeRoot(of node: Node) -> String {
        let root = node.metadata.annotations?[Node.volumeRootAnnotation] ?? "volumes"
        return root.hasSuffix("/") ? root : root + "/"
    }
}
