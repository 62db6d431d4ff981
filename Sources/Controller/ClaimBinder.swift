import ClusterState

/// Gives a pod's claims their volumes and says where a pod with volumes must run.
///
/// Storage classes (design §6): `local` is a directory on the node that first runs the pod,
/// which pins the pod there. `replicated` — and `standard` or no class, when the chosen node
/// keeps a volume pool — has copies on several nodes (``PersistentVolume/ReplicatedSource``);
/// the pod runs where the primary copy is, and the primary moves to a surviving copy when
/// its node is lost. Without a pool on the node, an unnamed or `standard` class falls back
/// to `local`, so a cluster without btrfs works as before; `replicated` by name then waits
/// for a node with a pool.
struct ClaimBinder {
    let state: ClusterState

    /// The claim annotation (also read from a StatefulSet's claim template) that sets how
    /// many copies a replicated volume has.
    static let replicasAnnotation = "ordinal.dev/replicas"
    static let defaultReplicas = 2

    func claims(of pod: Pod) -> [PersistentVolumeClaim] {
        let namespace = pod.metadata.namespace ?? "default"
        return (pod.spec.volumes ?? []).compactMap { volume in
            volume.persistentVolumeClaim.flatMap { state.claims[ObjectKey(namespace: namespace, name: $0.claimName)] }
        }
    }

    /// The bound volumes of the pod's claims.
    func volumes(of pod: Pod) -> [PersistentVolume] {
        claims(of: pod).compactMap { claim in claim.spec.volumeName.flatMap { state.volumes[ObjectKey(namespace: "", name: $0)] } }
    }

    /// The node a volume already bound to one of the pod's claims ties it to: a `local`
    /// volume's node, or a replicated volume's primary.
    func pinnedNode(of pod: Pod) -> String? {
        volumes(of: pod).lazy.compactMap { $0.spec.replicated?.primary ?? $0.node }.first
    }

    /// Whether the pod has an unbound claim that asks for replicated storage by name, which
    /// only a node with a volume pool can satisfy.
    func needsVolumePool(_ pod: Pod) -> Bool {
        claims(of: pod).contains { $0.spec.volumeName == nil && $0.spec.storageClassName == "replicated" }
    }

    /// Whether a claim bound on `node` gets a replicated volume.
    private func replicates(_ claim: PersistentVolumeClaim, on node: Node) -> Bool {
        switch claim.spec.storageClassName ?? "" {
        case "", "standard", "replicated": node.hasVolumePool
        default: false
        }
    }

    /// For each unbound claim: a volume for a pod placed on `node`, and the claim bound to
    /// it. Replicated volumes of one pod share their copies' nodes, so the pod can fail over
    /// with all of them; `alive` are the nodes that may take a new copy.
    func bindings(for pod: Pod, on node: Node, alive: Set<String>) -> [ClusterCommand] {
        let unbound = claims(of: pod).filter { $0.spec.volumeName == nil && $0.metadata.uid != nil }
        let wanted = unbound.filter { replicates($0, on: node) }.map(Self.replicas(of:)).max() ?? 1
        let copies = CopyPlacement(state: state, alive: alive).nodes(count: wanted - 1, excluding: [node.metadata.name])
        return unbound.flatMap { claim -> [ClusterCommand] in
            let name = "pvc-" + (claim.metadata.uid ?? "")
            var volume = PersistentVolume(metadata: ObjectMeta(name: name), spec: PersistentVolume.Spec())
            volume.spec.capacity = claim.requestedStorage.map { ["storage": $0] }
            volume.spec.accessModes = claim.spec.accessModes
            volume.spec.storageClassName = claim.spec.storageClassName
            volume.spec.persistentVolumeReclaimPolicy = "Delete"
            volume.spec.claimRef = .init(namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid)
            if replicates(claim, on: node) {
                let nodes = [node.metadata.name] + copies.prefix(Self.replicas(of: claim) - 1)
                volume.spec.replicated = .init(replicas: Self.replicas(of: claim), primary: node.metadata.name, nodes: nodes)
            } else {
                volume.spec.local = .init(path: Self.volumeRoot(of: node) + name)
                volume.spec.nodeAffinity = .init(node: node.metadata.name)
            }
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

    /// The copies a claim asks for: its `ordinal.dev/replicas` annotation, 2 by default,
    /// within 1 … ``StorageRules``' limit of 8.
    static func replicas(of claim: PersistentVolumeClaim) -> Int {
        let asked = claim.metadata.annotations?[replicasAnnotation].flatMap(Int.init) ?? defaultReplicas
        return min(max(asked, 1), 8)
    }

    /// Where the node keeps volumes: its `ordinal.dev/volume-root` annotation.
    static func volumeRoot(of node: Node) -> String {
        let root = node.metadata.annotations?[Node.volumeRootAnnotation] ?? "volumes"
        return root.hasSuffix("/") ? root : root + "/"
    }
}

/// Chooses nodes for new copies of replicated volumes: alive nodes with a volume pool, those
/// holding the fewest copies first (then by name), never a node already holding one.
struct CopyPlacement {
    let state: ClusterState
    let alive: Set<String>

    func nodes(count: Int, excluding: Set<String>) -> [String] {
        guard count > 0 else { return [] }
        var held: [String: Int] = [:]
        for volume in state.volumes.values {
            for node in volume.spec.replicated?.nodes ?? [] { held[node, default: 0] += 1 }
        }
        let candidates = state.nodes.values
            .filter { $0.hasVolumePool && alive.contains($0.metadata.name) && !excluding.contains($0.metadata.name) && $0.spec.unschedulable != true }
            .map(\.metadata.name)
            .sorted { (held[$0] ?? 0, $0) < (held[$1] ?? 0, $1) }
        return Array(candidates.prefix(count))
    }
}
