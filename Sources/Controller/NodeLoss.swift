import ClusterState

/// What the controller does with the pods of a lost node: one gossip reports dead and whose
/// lease the leader knows has run out, so none of its pod processes can still be alive
/// (design §5). Kubernetes stops here and waits for an operator's force-delete, because it
/// cannot prove the old pod is gone; the lease is that proof.
///
/// A pod that can move is removed for good, so its StatefulSet recreates it with the same
/// name (a new uid) and the scheduler places it on a live node. A pod whose claim is bound
/// to a `local` volume on the lost node cannot move: it is reported Pending with the reason
/// and runs again when its node comes back (Kubernetes' local-volume semantics). A pod whose
/// replicated volumes fail over (``VolumeFailover``, in the same pass) moves like one without
/// volumes; a replicated volume with no surviving acknowledged copy waits like a local one.
enum NodeLoss {
    static let reason = "NodeLost"

    static func commands(state: ClusterState, liveness: Liveness, now: Timestamp) -> [ClusterCommand] {
        guard !liveness.lostNodes.isEmpty else { return [] }
        let binder = ClaimBinder(state: state)
        let volumes = VolumeFailover.commands(state: state, liveness: liveness, now: now)
        return volumes + state.pods.keys.sorted().flatMap { key -> [ClusterCommand] in
            guard let pod = state.pods[key], let node = pod.nodeName, liveness.lostNodes.contains(node),
                  let uid = pod.metadata.uid
            else { return [] }
            if binder.pinnedNode(of: pod) == node, !canFailOver(binder.volumes(of: pod), from: node, liveness: liveness) {
                let replicated = binder.volumes(of: pod).contains { $0.spec.replicated?.primary == node }
                guard let lost = waiting(pod, node: node, replicated: replicated, now: now) else { return [] }
                return [.updateStatus(.pod(lost)), event(pod, lost.status?.message ?? "", now: now)]
            }
            let removal: [ClusterCommand] = pod.isTerminating ? [.finalize(.pod, key, uid: uid)] : [.delete(.pod, key, uid: uid), .finalize(.pod, key, uid: uid)]
            return removal + [event(pod, "node \(node) is lost and its lease has run out; deleting the pod so it can run on another node", now: now)]
        }
    }

    /// Whether every volume pinning the pod to `node` is replicated with a surviving copy
    /// that ``VolumeFailover`` promotes in this same pass.
    private static func canFailOver(_ volumes: [PersistentVolume], from node: String, liveness: Liveness) -> Bool {
        let pinning = volumes.filter { ($0.spec.replicated?.primary ?? $0.node) == node }
        return !pinning.isEmpty && pinning.allSatisfy { volume in
            VolumeFailover.moved(volume, lost: liveness.lostNodes, alive: liveness.aliveNodes).map { $0.spec.replicated?.primary != node } ?? false
        }
    }

    private static func event(_ pod: Pod, _ message: String, now: Timestamp) -> ClusterCommand {
        .create(.event(Event.about(Event.ObjectReference(pod), reason: reason, message: message, warning: true, component: "node-controller", at: now, salt: 0)))
    }

    /// The pod marked Pending and not ready because its node is lost; nil when it already is.
    private static func waiting(_ pod: Pod, node: String, replicated: Bool, now: Timestamp) -> Pod? {
        guard pod.status?.reason != reason || pod.phase != Pod.Phase.pending else { return nil }
        let why = replicated ? "no surviving copy of its replicated volume holds a snapshot yet" : "its volume is local to that node"
        let message = "node \(node) is lost; the pod waits for it because \(why)"
        var lost = pod
        lost.metadata.resourceVersion = nil
        var status = pod.status ?? Pod.Status(phase: nil)
        status.phase = Pod.Phase.pending
        status.reason = reason
        status.message = message
        status.conditions = (status.conditions ?? []).map { condition in
            guard condition.type == "Ready" || condition.type == "ContainersReady" else { return condition }
            var lost = Pod.Condition(type: condition.type, status: "False", lastTransitionTime: now)
            lost.reason = reason
            lost.message = message
            return lost
        }
        status.containerStatuses = status.containerStatuses?.map { container in
            var waiting = container
            waiting.ready = false
            waiting.state = .init(waiting: .init(reason: reason, message: message))
            return waiting
        }
        lost.status = status
        return lost
    }
}
