/// One Raft entry of cluster state: the commands one writer (an API call, a controller pass,
/// an agent's status report) wants applied together, and the wall-clock time it stamps on
/// them. Each command succeeds or fails on its own.
package struct ClusterProposal: Codable, Sendable, Hashable {
    package var at: Timestamp
    package var commands: [ClusterCommand]

    package init(at: Timestamp, commands: [ClusterCommand]) {
        self.at = at
        self.commands = commands
    }
}

/// A change to the cluster state. Preconditions (existence, `resourceVersion`, `uid`) are
/// checked when the command is applied, against the replicated state, so a stale writer —
/// a deposed leader, a client that read an old version — is refused deterministically.
package enum ClusterCommand: Codable, Sendable, Hashable {
    /// Create the object; `AlreadyExists` if its key is taken.
    case create(ClusterObject)
    /// Replace spec, labels and annotations (status is kept); `Conflict` if the object
    /// carries a `resourceVersion` that is no longer current.
    case update(ClusterObject)
    /// Replace the status only (the status subresource).
    case updateStatus(ClusterObject)
    /// Delete. A pod placed on a node, a StatefulSet and a claim still in use become
    /// terminating (deletionTimestamp) and are removed by a later `finalize`; anything else
    /// goes at once.
    case delete(ObjectKind, ObjectKey, uid: String?)
    /// Remove a terminating object for good: its node stopped the pod, the controller
    /// deleted the set's pods, the claim's pod is gone.
    case finalize(ObjectKind, ObjectKey, uid: String)
    /// Place a pending pod on a node with an address from the node's pod CIDR; the pod's
    /// fencing epoch becomes the Raft index of this entry.
    case bind(pod: ObjectKey, uid: String, node: String, podIP: String)
    /// Evict a pod (the Eviction subresource): delete it unless that would break the
    /// PodDisruptionBudget covering it, checked against the state at this index; `uid` is an
    /// optional precondition.
    case evict(pod: ObjectKey, uid: String?)
    /// A replicated volume's primary reports its latest snapshot and what each copy
    /// acknowledged; refused unless the sender is the primary of the current epoch.
    case reportReplication(PersistentVolume.ReplicationReport)
}

/// What applying one command did.
package enum ApplyResult: Sendable, Hashable {
    /// The object as stored afterwards (nil once removed); `changed` is false for a no-op.
    case applied(ClusterObject?, changed: Bool)
    case rejected(StatusError)
}

/// A refusal with Kubernetes' `Status` fields, so the API answers like an API server.
package struct StatusError: Error, Codable, Sendable, Hashable, CustomStringConvertible {
    package var code: Int
    /// `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, `BadRequest`, `Forbidden`.
    package var reason: String
    package var message: String
    package var kind: ObjectKind?
    package var name: String?
    /// Kubernetes' `details.causes`: why, as `reason` and `message` (a budget an eviction
    /// would break).
    package var causes: [Cause]?

    package struct Cause: Codable, Sendable, Hashable {
        package var reason: String
        package var message: String

        package init(reason: String, message: String) {
            self.reason = reason
            self.message = message
        }
    }

    package init(code: Int, reason: String, message: String, kind: ObjectKind? = nil, name: String? = nil, causes: [Cause]? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.kind = kind
        self.name = name
        self.causes = causes
    }

    package var description: String { message }

    /// `statefulsets.apps "web"`, as Kubernetes names a resource in messages.
    package static func resource(_ kind: ObjectKind, _ name: String) -> String {
        kind.group.isEmpty ? "\(kind.plural) \"\(name)\"" : "\(kind.plural).\(kind.group) \"\(name)\""
    }

    package static func notFound(_ kind: ObjectKind, _ name: String) -> StatusError {
        StatusError(code: 404, reason: "NotFound", message: "\(resource(kind, name)) not found", kind: kind, name: name)
    }

    package static func alreadyExists(_ kind: ObjectKind, _ name: String) -> StatusError {
        StatusError(code: 409, reason: "AlreadyExists", message: "\(resource(kind, name)) already exists", kind: kind, name: name)
    }

    package static func conflict(_ kind: ObjectKind, _ name: String, _ why: String) -> StatusError {
        StatusError(
            code: 409, reason: "Conflict",
            message: "Operation cannot be fulfilled on \(resource(kind, name)): \(why)", kind: kind, name: name
        )
    }

    package static func forbidden(_ kind: ObjectKind, _ name: String, _ why: String) -> StatusError {
        StatusError(code: 403, reason: "Forbidden", message: "\(resource(kind, name)) is forbidden: \(why)", kind: kind, name: name)
    }

    /// A delete or eviction whose `uid` precondition names another incarnation of the object.
    package static func uidMismatch(_ kind: ObjectKind, _ name: String, expected: String, stored: String?) -> StatusError {
        .conflict(kind, name, "the UID in the precondition (\(expected)) does not match the UID in record (\(stored ?? "")). The object might have been deleted and then recreated")
    }

    package static func invalid(_ kind: ObjectKind, _ name: String, _ causes: [String]) -> StatusError {
        let kindName = kind.group.isEmpty ? kind.rawValue : "\(kind.rawValue).\(kind.group)"
        let body = causes.count == 1 ? causes[0] : "[" + causes.joined(separator: ", ") + "]"
        return StatusError(code: 422, reason: "Invalid", message: "\(kindName) \"\(name)\" is invalid: \(body)", kind: kind, name: name)
    }
}

/// One change to the stored objects, in apply order: what a watch streams and what the
/// database writes.
package struct Change: Sendable, Hashable {
    package enum Kind: String, Sendable, Hashable {
        case added = "ADDED"
        case modified = "MODIFIED"
        case deleted = "DELETED"
    }

    package var kind: Kind
    /// The object after the change; for `deleted`, the last stored version.
    package var object: ClusterObject
    /// The Raft index of the entry that made the change.
    package var index: UInt64

    package init(kind: Kind, object: ClusterObject, index: UInt64) {
        self.kind = kind
        self.object = object
        self.index = index
    }
}
