extension Event {
    /// How long events are kept; the controller deletes older ones (the apiserver's default
    /// `--event-ttl` is one hour).
    package static let timeToLive: Int64 = 3600

    /// A new event about `object`, as Kubernetes' recorders write them: `Normal` or `Warning`,
    /// the component (and host) that saw it, `count` 1, first and last seen `now`.
    ///
    /// The name is `<object>.<16 hex digits>` hashed from the object, the event and `salt`
    /// (the writer's position in its batch), so a replay of the same pass writes the same
    /// name and two events of one pass never collide.
    package static func about(
        _ object: ObjectReference, reason: String, message: String, warning: Bool = false,
        component: String, host: String? = nil, at now: Timestamp, salt: Int
    ) -> Event {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for text in [object.kind, object.namespace ?? "", object.name, object.uid ?? "", reason, message, String(now.seconds), String(salt)] {
            for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
            hash = (hash ^ 0xFF) &* 0x0000_0100_0000_01B3
        }
        let digits = String(hash, radix: 16)
        let name = object.name + "." + String(repeating: "0", count: 16 - digits.count) + digits
        var event = Event(
            metadata: ObjectMeta(name: name, namespace: object.namespace ?? "default"),
            involvedObject: object, reason: reason, message: message, type: warning ? "Warning" : "Normal"
        )
        event.count = 1
        event.firstTimestamp = now
        event.lastTimestamp = now
        event.source = host.map { ["component": component, "host": $0] } ?? ["component": component]
        return event
    }
}

extension Event.ObjectReference {
    /// A reference to a pod, as events name it.
    package init(_ pod: Pod) {
        self.init(kind: "Pod", namespace: pod.metadata.namespace ?? "default", name: pod.metadata.name, uid: pod.metadata.uid, apiVersion: "v1")
    }

    /// A cluster-scoped volume: its events go to `default`, as Kubernetes records them.
    package init(_ volume: PersistentVolume) {
        self.init(kind: "PersistentVolume", namespace: nil, name: volume.metadata.name, uid: volume.metadata.uid, apiVersion: "v1")
    }

    package init(_ set: StatefulSet) {
        self.init(kind: "StatefulSet", namespace: set.metadata.namespace ?? "default", name: set.metadata.name, uid: set.metadata.uid, apiVersion: "apps/v1")
    }
}
