package import ClusterState

/// How the Kubernetes API names each kind Ordinal serves: the URL plural, the group and
/// version, and whether it lives in a namespace.
package struct KubeResource: Sendable, Hashable {
    package var kind: ObjectKind
    package var plural: String { kind.plural }
    package var groupVersion: String { kind.apiVersion }
    package var listKind: String { kind.rawValue + "List" }

    /// The resource of `plural` in `groupVersion` (`v1` or `apps/v1`).
    package init?(plural: String, groupVersion: String) {
        guard let kind = ObjectKind.allCases.first(where: { $0.plural == plural && $0.apiVersion == groupVersion }) else {
            return nil
        }
        self.kind = kind
    }

    package init(kind: ObjectKind) {
        self.kind = kind
    }
}

/// A Kubernetes `List` body.
struct ObjectList: Encodable {
    struct ListMeta: Encodable {
        var resourceVersion: String
    }

    var apiVersion: String
    var kind: String
    var metadata: ListMeta
    var items: [ClusterObject]
}

/// One line of a watch stream.
struct WatchEvent: Encodable {
    var type: String
    var object: ClusterObject
}

/// autoscaling/v1 `Scale`, the StatefulSet `scale` subresource.
struct Scale: Codable {
    struct Spec: Codable { var replicas: Int? }
    struct Status: Codable {
        var replicas: Int
        var selector: String?
    }

    var apiVersion: String? = "autoscaling/v1"
    var kind: String? = "Scale"
    var metadata: ObjectMeta
    var spec: Spec
    var status: Status?
}
