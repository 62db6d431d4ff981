import ClusterState

/// A replicated volume moved on purpose (a drain): when its primary's node is cordoned and
/// the volume's pod has been evicted and waits, unplaced, for a node, the primary moves, in a
/// new epoch, to a schedulable copy that holds a snapshot taken after the pod stopped — which
/// holds every write the pod made, so the move loses nothing.
///
/// "After the pod stopped": the waiting pod was created once the old one was gone (its node
/// had stopped it), so a snapshot taken ``settleSeconds`` after the new pod's creation is
/// later than the old one's last write. The primary keeps snapshotting and shipping a volume
/// with no pod, so such a copy comes within seconds. The old primary leaves the volume's copies (its node is
/// being emptied) and ``VolumeCopies`` builds a new copy elsewhere. Node loss is
/// ``VolumeFailover``'s, which takes the freshest surviving copy without waiting.
enum VolumeHandover {
    /// Margin between the waiting pod's creation (second precision, the leader's clock) and
    /// a snapshot that is surely later than the old pod's last write (the primary's clock).
    static let settleSeconds: Int64 = 2

    static func moved(_ volume: PersistentVolume, state: ClusterState, liveness: Liveness) -> PersistentVolume? {
        guard let source = volume.spec.replicated, let claim = volume.spec.claimRef,
              state.nodes[ObjectKey(namespace: "", name: source.primary)]?.spec.unschedulable == true,
              liveness.aliveNodes.contains(source.primary)
        else { return nil }
        let namespace = claim.namespace ?? Namespace.defaultName
        let users = state.pods.values.filter { pod in
            pod.metadata.namespace ?? Namespace.defaultName == namespace
                && pod.spec.volumes?.contains { $0.persistentVolumeClaim?.claimName == claim.name } == true
        }
        guard !users.isEmpty, users.allSatisfy({ $0.spec.nodeName == nil && !$0.isTerminating }),
              let waitingSince = users.compactMap(\.metadata.creationTimestamp).max()
        else { return nil }
        let settled = (waitingSince.seconds + settleSeconds) * 1000
        let heirs = source.nodes.compactMap { node -> PersistentVolume.CopyStatus? in
            guard node != source.primary, liveness.aliveNodes.contains(node),
                  state.nodes[ObjectKey(namespace: "", name: node)].map({ $0.spec.unschedulable != true }) == true,
                  let copy = volume.copy(on: node), copy.epoch == source.epoch, copy.snapshotUnixMillis >= settled else { return nil }
            return copy
        }
        guard let heir = heirs.max(by: { ($0.generation, $1.node) < ($1.generation, $0.node) })?.node else { return nil }
        var next = volume
        next.metadata.resourceVersion = nil
        next.spec.replicated = .init(
            replicas: source.replicas, primary: heir,
            nodes: [heir] + source.nodes.filter { $0 != heir && $0 != source.primary },
            epoch: source.epoch + 1
        )
        return next
    }

    /// Updates for every volume ready to move, each with a `VolumeHandover` event.
    static func commands(state: ClusterState, liveness: Liveness, now: Timestamp) -> [ClusterCommand] {
        state.volumes.keys.sorted().flatMap { key -> [ClusterCommand] in
            guard let volume = state.volumes[key], let next = moved(volume, state: state, liveness: liveness),
                  let before = volume.spec.replicated, let after = next.spec.replicated else { return [] }
            let message = "node \(before.primary) is cordoned and the volume's pod was evicted; the primary is now \(after.primary), "
                + "whose copy holds snapshot e\(before.epoch)g\(volume.copy(on: after.primary)?.generation ?? 0), taken after the pod stopped"
            let event = Event.about(Event.ObjectReference(volume), reason: "VolumeHandover", message: message, warning: false,
                                    component: "volume-controller", at: now, salt: 2)
            return [.update(.persistentVolume(next)), .create(.event(event))]
        }
    }
}
