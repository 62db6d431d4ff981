package import ClusterState

/// The events the agent running a pod records, as the kubelet does: `Created` and
/// `Started` when a container (re)starts, `BackOff` when it waits to restart after a
/// crash, `Failed` when it cannot start at all, `Killing` when the agent stops it. They are
/// derived from the change between the replicated status and the observed one, so
/// reporting the same observation twice records nothing.
package enum PodEvents {
    package static func observed(_ pod: Pod, previous: Pod.Status?, next: Pod.Status, node: String, now: Timestamp) -> [Event] {
        let before = Dictionary((previous?.containerStatuses ?? []).map { ($0.name, $0) }) { first, _ in first }
        var events: [Event] = []
        for container in next.containerStatuses ?? [] {
            let old = before[container.name]
            if let started = container.state?.running?.startedAt, old?.state?.running?.startedAt != started {
                events.append(event(pod, "Created", "Created container \(container.name)", node: node, now: now, salt: events.count))
                events.append(event(pod, "Started", "Started container \(container.name)", node: node, now: now, salt: events.count))
            }
            guard let waiting = container.state?.waiting, old?.state?.waiting != waiting else { continue }
            if waiting.reason == "CrashLoopBackOff" {
                let message = "Back-off restarting failed container \(container.name) in pod \(pod.metadata.name)_\(pod.metadata.namespace ?? "default")(\(pod.metadata.uid ?? ""))"
                events.append(event(pod, "BackOff", message, warning: true, node: node, now: now, salt: events.count))
            } else if let message = waiting.message, waiting.reason != "ContainerCreating" {
                events.append(event(pod, "Failed", message, warning: true, node: node, now: now, salt: events.count))
            }
        }
        return events
    }

    /// `Killing` for each container of a pod the agent stops.
    package static func stopping(_ pod: Pod, node: String, now: Timestamp) -> [Event] {
        pod.spec.containers.enumerated().map { position, container in
            event(pod, "Killing", "Stopping container \(container.name)", node: node, now: now, salt: position)
        }
    }

    private static func event(_ pod: Pod, _ reason: String, _ message: String, warning: Bool = false, node: String, now: Timestamp, salt: Int) -> Event {
        Event.about(Event.ObjectReference(pod), reason: reason, message: message, warning: warning, component: "kubelet", host: node, at: now, salt: salt)
    }
}
