/// The kinds of object Ordinal stores, with the names the Kubernetes API uses for them.
package enum ObjectKind: String, CaseIterable, Codable, Sendable, Hashable {
    case statefulSet = "StatefulSet"
    case service = "Service"
    case pod = "Pod"
    case persistentVolumeClaim = "PersistentVolumeClaim"
    case persistentVolume = "PersistentVolume"
    case node = "Node"
    case controllerRevision = "ControllerRevision"
    case event = "Event"
    case namespace = "Namespace"
    case podDisruptionBudget = "PodDisruptionBudget"

    package var apiVersion: String { group.isEmpty ? "v1" : group + "/v1" }

    /// The API group (`""` for the core group).
    package var group: String {
        switch self {
        case .statefulSet, .controllerRevision: "apps"
        case .podDisruptionBudget: "policy"
        default: ""
        }
    }

    /// The lower-case plural in URLs: `statefulsets`, `persistentvolumeclaims`.
    package var plural: String { rawValue.lowercased() + "s" }

    package var isNamespaced: Bool { self != .node && self != .persistentVolume && self != .namespace }
}

/// Any stored object, for commands, changes and the API's generic paths.
package enum ClusterObject: Sendable, Hashable, Codable {
    case statefulSet(StatefulSet)
    case service(Service)
    case pod(Pod)
    case persistentVolumeClaim(PersistentVolumeClaim)
    case persistentVolume(PersistentVolume)
    case node(Node)
    case controllerRevision(ControllerRevision)
    case event(Event)
    case namespace(Namespace)
    case podDisruptionBudget(PodDisruptionBudget)

    package var kind: ObjectKind {
        switch self {
        case .statefulSet: .statefulSet
        case .service: .service
        case .pod: .pod
        case .persistentVolumeClaim: .persistentVolumeClaim
        case .persistentVolume: .persistentVolume
        case .node: .node
        case .controllerRevision: .controllerRevision
        case .event: .event
        case .namespace: .namespace
        case .podDisruptionBudget: .podDisruptionBudget
        }
    }

    package var metadata: ObjectMeta {
        get {
            switch self {
            case .statefulSet(let object): object.metadata
            case .service(let object): object.metadata
            case .pod(let object): object.metadata
            case .persistentVolumeClaim(let object): object.metadata
            case .persistentVolume(let object): object.metadata
            case .node(let object): object.metadata
            case .controllerRevision(let object): object.metadata
            case .event(let object): object.metadata
            case .namespace(let object): object.metadata
            case .podDisruptionBudget(let object): object.metadata
            }
        }
        set {
            switch self {
            case .statefulSet(var object): object.metadata = newValue; self = .statefulSet(object)
            case .service(var object): object.metadata = newValue; self = .service(object)
            case .pod(var object): object.metadata = newValue; self = .pod(object)
            case .persistentVolumeClaim(var object): object.metadata = newValue; self = .persistentVolumeClaim(object)
            case .persistentVolume(var object): object.metadata = newValue; self = .persistentVolume(object)
            case .node(var object): object.metadata = newValue; self = .node(object)
            case .controllerRevision(var object): object.metadata = newValue; self = .controllerRevision(object)
            case .event(var object): object.metadata = newValue; self = .event(object)
            case .namespace(var object): object.metadata = newValue; self = .namespace(object)
            case .podDisruptionBudget(var object): object.metadata = newValue; self = .podDisruptionBudget(object)
            }
        }
    }

    package var key: ObjectKey {
        ObjectKey(namespace: kind.isNamespaced ? metadata.namespace ?? "default" : "", name: metadata.name)
    }

    private enum KindKey: String, CodingKey { case kind }

    /// Decodes by the object's own `kind` field, as Kubernetes documents are written.
    package init(from decoder: any Decoder) throws {
        let kindName = try decoder.container(keyedBy: KindKey.self).decode(String.self, forKey: .kind)
        guard let kind = ObjectKind(rawValue: kindName) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unsupported kind \(kindName)"))
        }
        switch kind {
        case .statefulSet: self = .statefulSet(try StatefulSet(from: decoder))
        case .service: self = .service(try Service(from: decoder))
        case .pod: self = .pod(try Pod(from: decoder))
        case .persistentVolumeClaim: self = .persistentVolumeClaim(try PersistentVolumeClaim(from: decoder))
        case .persistentVolume: self = .persistentVolume(try PersistentVolume(from: decoder))
        case .node: self = .node(try Node(from: decoder))
        case .controllerRevision: self = .controllerRevision(try ControllerRevision(from: decoder))
        case .event: self = .event(try Event(from: decoder))
        case .namespace: self = .namespace(try Namespace(from: decoder))
        case .podDisruptionBudget: self = .podDisruptionBudget(try PodDisruptionBudget(from: decoder))
        }
    }

    /// Always writes `apiVersion` and `kind`, whatever the value carries, so the JSON
    /// decodes back by its kind.
    package func encode(to encoder: any Encoder) throws {
        switch stamped {
        case .statefulSet(let object): try object.encode(to: encoder)
        case .service(let object): try object.encode(to: encoder)
        case .pod(let object): try object.encode(to: encoder)
        case .persistentVolumeClaim(let object): try object.encode(to: encoder)
        case .persistentVolume(let object): try object.encode(to: encoder)
        case .node(let object): try object.encode(to: encoder)
        case .controllerRevision(let object): try object.encode(to: encoder)
        case .event(let object): try object.encode(to: encoder)
        case .namespace(let object): try object.encode(to: encoder)
        case .podDisruptionBudget(let object): try object.encode(to: encoder)
        }
    }
}

extension ClusterObject {
    /// The object with `apiVersion` and `kind` set from its case.
    package var stamped: ClusterObject {
        let version = kind.apiVersion
        let name = kind.rawValue
        switch self {
        case .statefulSet(var o): o.apiVersion = version; o.kind = name; return .statefulSet(o)
        case .service(var o): o.apiVersion = version; o.kind = name; return .service(o)
        case .pod(var o): o.apiVersion = version; o.kind = name; return .pod(o)
        case .persistentVolumeClaim(var o): o.apiVersion = version; o.kind = name; return .persistentVolumeClaim(o)
        case .persistentVolume(var o): o.apiVersion = version; o.kind = name; return .persistentVolume(o)
        case .node(var o): o.apiVersion = version; o.kind = name; return .node(o)
        case .controllerRevision(var o): o.apiVersion = version; o.kind = name; return .controllerRevision(o)
        case .event(var o): o.apiVersion = version; o.kind = name; return .event(o)
        case .namespace(var o): o.apiVersion = version; o.kind = name; return .namespace(o)
        case .podDisruptionBudget(var o): o.apiVersion = version; o.kind = name; return .podDisruptionBudget(o)
        }
    }
}
