import ClusterState

/// What the controller does with replicated volumes when nodes are lost (gossip dead, lease
/// run out, so nothing on them still writes): a volume whose primary is lost gets a new
/// primary — the surviving copy holding the newest snapshot of the current epoch — in a new
/// epoch; a lost node that held another copy is dropped from the volume. The volume's pod
/// then runs on the new primary (``ClaimBinder/pinnedNode(of:)``) and ``VolumeCopies``
/// builds new copies until the volume has its replicas again.
///
/// A volume none of whose surviving copies has acknowledged a snapshot cannot move without
/// losing everything: it keeps its primary, and its pod waits for the node like a `local`
/// one.
enum VolumeFailover {
    /// The volume moved off lost nodes, or nil when it needs no change.
    static func moved(_ volume: PersistentVolume, lost: Set<String>, alive: Set<String>) -> PersistentVolume? {
        guard let source = volume.spec.replicated, source.nodes.contains(where: lost.contains) else { return nil }
        var next = volume
        next.metadata.resourceVersion = nil
        if lost.contains(source.primary) {
            let survivors = source.nodes.filter { !lost.contains($0) && alive.contains($0) }
            guard let heir = survivors.compactMap({ volume.copy(on: $0) }).max(by: { ($0.generation, $1.node) < ($1.generation, $0.node) }) else { return nil }
            next.spec.replicated = .init(
                replicas: source.replicas, primary: heir.node,
                nodes: [heir.node] + source.nodes.filter { $0 != heir.node && !lost.contains($0) },
                epoch: source.epoch + 1
            )
        } else {
            next.spec.replicated?.nodes = source.nodes.filter { !lost.contains($0) }
        }
        return next
    }

    private static func event(_ volume: PersistentVolume, _ reason: String, _ message: String, now: Timestamp, salt: Int) -> ClusterCommand {
        .create(.event(Event.about(Event.ObjectReference(volume), reason: reason, message: message, warning: true, component: "volume-controller", at: now, salt: salt)))
    }

    /// Updates for every replicated volume with a copy on a lost node, with a
    /// `VolumeDegraded` event, and a `VolumeFailover` event for each primary that moved.
    static func commands(state: ClusterState, liveness: Liveness, now: Timestamp) -> [ClusterCommand] {
        state.volumes.keys.sorted().flatMap { key -> [ClusterCommand] in
            guard let volume = state.volumes[key],
                  let next = moved(volume, lost: liveness.lostNodes, alive: liveness.aliveNodes),
                  let before = volume.spec.replicated, let after = next.spec.replicated
            else { return [] }
            let lostCopies = before.nodes.filter { liveness.lostNodes.contains($0) }
            let degraded = "copies on \(lostCopies.joined(separator: ", ")) lost with their node; \(after.nodes.count) of \(after.replicas) copies remain until new ones are built"
            var events = [event(volume, "VolumeDegraded", degraded, now: now, salt: 0)]
            if before.primary != after.primary {
                let copy = volume.copy(on: after.primary)
                let message = "node \(before.primary) is lost; the volume's primary is now \(after.primary), whose copy holds snapshot e\(copy.map { "\($0.epoch)g\($0.generation)" } ?? "-")"
                events.append(event(volume, "VolumeFailover", message, now: now, salt: 1))
            }
            return [.update(.persistentVolume(next))] + events
        }
    }
}

/// Restores the number of copies of replicated volumes: a volume with fewer nodes than its
/// replicas gets new copies on alive nodes with a volume pool (``CopyPlacement``); the
/// primary then ships it a whole snapshot before sending increments.
enum VolumeCopies {
    static func commands(state: ClusterState, liveness: Liveness) -> [ClusterCommand] {
        state.volumes.keys.sorted().compactMap { key -> ClusterCommand? in
            guard let volume = state.volumes[key], let source = volume.spec.replicated, source.nodes.count < source.replicas else { return nil }
            let added = CopyPlacement(state: state, alive: liveness.aliveNodes).nodes(count: source.replicas - source.nodes.count, excluding: Set(source.nodes))
            guard !added.isEmpty else { return nil }
            var next = volume
            next.metadata.resourceVersion = nil
            next.spec.replicated?.nodes = source.nodes + added
            return .update(.persistentVolume(next))
        }
    }
}
