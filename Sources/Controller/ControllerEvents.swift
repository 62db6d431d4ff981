import ClusterState

/// The events a controller pass records, derived from the commands it proposes, so the
/// pass itself stays about state and `describe` shows what Kubernetes' controllers write:
/// the StatefulSet controller's `SuccessfulCreate`/`SuccessfulDelete` on the set, the
/// scheduler's `Scheduled` and `FailedScheduling` on the pod.
enum ControllerEvents {
    static func events(for commands: [ClusterCommand], state: ClusterState, now: Timestamp) -> [ClusterCommand] {
        var events: [Event] = []
        for command in commands {
            switch command {
            case .create(.pod(let pod)):
                if let set = owner(of: pod, in: state) {
                    events.append(event(Event.ObjectReference(set), "SuccessfulCreate", "create Pod \(pod.metadata.name) in StatefulSet \(set.metadata.name) successful", "statefulset-controller", now, events.count))
                }
            case .delete(.pod, let key, _):
                if let pod = state.pods[key], let set = owner(of: pod, in: state) {
                    events.append(event(Event.ObjectReference(set), "SuccessfulDelete", "delete Pod \(pod.metadata.name) in StatefulSet \(set.metadata.name) successful", "statefulset-controller", now, events.count))
                }
            case .bind(let key, _, let node, _):
                if let pod = state.pods[key] {
                    events.append(event(Event.ObjectReference(pod), "Scheduled", "Successfully assigned \(key.namespace)/\(key.name) to \(node)", "default-scheduler", now, events.count))
                }
            case .updateStatus(.pod(let pod)):
                let condition = pod.status?.conditions?.first { $0.type == "PodScheduled" && $0.status == "False" }
                if let message = condition?.message {
                    var warning = event(Event.ObjectReference(pod), "FailedScheduling", message, "default-scheduler", now, events.count)
                    warning.type = "Warning"
                    events.append(warning)
                }
            default:
                break
            }
        }
        return events.map { .create(.event($0)) }
    }

    private static func owner(of pod: Pod, in state: ClusterState) -> StatefulSet? {
        guard let reference = pod.metadata.ownerReferences?.first(where: { $0.controller == true && $0.kind == "StatefulSet" }) else { return nil }
        return state.statefulSets[ObjectKey(namespace: pod.metadata.namespace ?? "default", name: reference.name)]
    }

    private static func event(_ object: Event.ObjectReference, _ reason: String, _ message: String, _ component: String, _ now: Timestamp, _ salt: Int) -> Event {
        Event.about(object, reason: reason, message: message, component: component, at: now, salt: salt)
    }
}

/// Deletes events older than ``ClusterState/Event/timeToLive``, a bounded number per pass.
enum EventReaper {
    static let perPass = 64

    static func deletions(state: ClusterState, now: Timestamp) -> [ClusterCommand] {
        state.events.filter { ($0.value.lastTimestamp ?? $0.value.firstTimestamp ?? now) + Event.timeToLive < now }
            .sorted { $0.key < $1.key }.prefix(perPass)
            .map { .delete(.event, $0.key, uid: $0.value.metadata.uid) }
    }
}
