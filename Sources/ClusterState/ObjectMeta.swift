/// Kubernetes' `metadata` block, the part of every object the data model itself manages:
/// identity (`uid`), change tracking (`resourceVersion` = the Raft index that last changed
/// the object, `generation` = spec changes), lifecycle times and ownership.
package struct ObjectMeta: Codable, Sendable, Hashable {
    package var name: String
    package var namespace: String?
    package var uid: String?
    package var resourceVersion: String?
    package var generation: Int64?
    package var creationTimestamp: Timestamp?
    package var deletionTimestamp: Timestamp?
    package var labels: [String: String]?
    package var annotations: [String: String]?
    package var ownerReferences: [OwnerReference]?
    package var finalizers: [String]?

    package init(name: String, namespace: String? = nil, labels: [String: String]? = nil) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
    }

    /// The resource version as the Raft index it is, or 0 when unset or not a number.
    package var revision: UInt64 { resourceVersion.flatMap(UInt64.init) ?? 0 }

    package var isTerminating: Bool { deletionTimestamp != nil }

    /// Whether `owner` is this object's controller.
    package func isControlled(by uid: String?) -> Bool {
        guard let uid else { return false }
        return ownerReferences?.contains { $0.uid == uid && $0.controller == true } ?? false
    }
}

/// A link from a dependent object to the object that owns it (a Pod to its StatefulSet).
package struct OwnerReference: Codable, Sendable, Hashable {
    package var apiVersion: String
    package var kind: String
    package var name: String
    package var uid: String
    package var controller: Bool?
    package var blockOwnerDeletion: Bool?

    package init(apiVersion: String, kind: String, name: String, uid: String, controller: Bool? = true, blockOwnerDeletion: Bool? = true) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }
}

/// Where an object lives: its namespace ("" for cluster-scoped kinds) and name.
package struct ObjectKey: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    package var namespace: String
    package var name: String

    package init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    package static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }

    package var description: String { namespace.isEmpty ? name : namespace + "/" + name }
}
