/// apps/v1 ControllerRevision: an immutable snapshot of a StatefulSet's pod template. Pods
/// carry its name in `controller-revision-hash`, which is how the controller knows which
/// pods are up to date.
package struct ControllerRevision: Codable, Sendable, Hashable {
    package var apiVersion: String?
    package var kind: String?
    package var metadata: ObjectMeta
    package var revision: Int64
    package var data: PodTemplateSpec

    package init(metadata: ObjectMeta, revision: Int64, data: PodTemplateSpec) {
        apiVersion = "apps/v1"
        kind = "ControllerRevision"
        self.metadata = metadata
        self.revision = revision
        self.data = data
    }
}

/// v1 Event: what the controller and the runtime did and why (Scheduled, Created,
/// Killing, FailedCreate, …), shown by `describe`.
package struct Event: Codable, Sendable, Hashable {
    package var apiVersion: String?
    package var kind: String?
    package var metadata: ObjectMeta
    package var involvedObject: ObjectReference
    package var reason: String
    package var message: String
    /// `Normal` or `Warning`.
    package var type: String
    package var count: Int?
    package var firstTimestamp: Timestamp?
    package var lastTimestamp: Timestamp?
    package var source: [String: String]?

    package init(metadata: ObjectMeta, involvedObject: ObjectReference, reason: String, message: String, type: String) {
        apiVersion = "v1"
        kind = "Event"
        self.metadata = metadata
        self.involvedObject = involvedObject
        self.reason = reason
        self.message = message
        self.type = type
    }

    package struct ObjectReference: Codable, Sendable, Hashable {
        package var kind: String
        package var namespace: String?
        package var name: String
        package var uid: String?
        package var apiVersion: String?

        package init(kind: String, namespace: String?, name: String, uid: String?, apiVersion: String?) {
            self.kind = kind
            self.namespace = namespace
            self.name = name
            self.uid = uid
            self.apiVersion = apiVersion
        }
    }
}
