import ClusterState
import Foundation

/// Objects and helpers shared by the ClusterState tests.
enum Fixture {
    /// 2026-11-21T10:04:05Z, the time the tests' proposals carry.
    static let t0 = Timestamp(seconds: 1_795_255_445)

    /// `/work/shared/manifests/seed-statefulset.yaml`, written out as a value.
    static var seedSet: StatefulSet {
        var container = Container(name: "my-container", image: "nginx")
        container.ports = [ContainerPort(containerPort: 80)]
        let template = PodTemplateSpec(metadata: TemplateMeta(labels: ["app": "my-app"]), spec: PodSpec(containers: [container]))
        var spec = StatefulSet.Spec(replicas: 3, selector: LabelSelector(matchLabels: ["app": "my-app"]), serviceName: "my-service", template: template)
        spec.volumeClaimTemplates = [
            StatefulSet.ClaimTemplate(
                metadata: TemplateMeta(name: "data"),
                spec: PersistentVolumeClaim.Spec(accessModes: ["ReadWriteOnce"], storageClassName: "standard", storage: "1Gi")
            ),
        ]
        return StatefulSet(metadata: ObjectMeta(name: "my-statefulset"), spec: spec)
    }

    static var headlessService: Service {
        Service(
            metadata: ObjectMeta(name: "my-service"),
            spec: Service.Spec(clusterIP: "None", selector: ["app": "my-app"], ports: [Service.Port(name: "web", port: 80)])
        )
    }

    static func pod(_ name: String = "web-0", claim: String? = nil) -> Pod {
        var spec = PodSpec(containers: [Container(name: "app", image: "nginx")])
        if let claim { spec.volumes = [Volume(name: "data", claimName: claim)] }
        return Pod(metadata: ObjectMeta(name: name), spec: spec)
    }

    static func node(_ name: String = "node-1", ip: String = "10.0.0.1") -> Node {
        Node(
            metadata: ObjectMeta(name: name, labels: [Node.hostnameLabel: name]),
            spec: Node.Spec(podCIDR: "10.244.1.0/24"),
            status: Node.Status(addresses: [Node.Address(type: "InternalIP", address: ip)], capacity: ["pods": "110"])
        )
    }

    static func claim(_ name: String = "data-web-0", volume: String? = nil) -> PersistentVolumeClaim {
        var spec = PersistentVolumeClaim.Spec(accessModes: ["ReadWriteOnce"], storageClassName: "local", storage: "1Gi")
        spec.volumeName = volume
        return PersistentVolumeClaim(metadata: ObjectMeta(name: name), spec: spec)
    }

    static func volume(_ name: String = "pv-data-web-0", node: String = "node-1") -> PersistentVolume {
        var spec = PersistentVolume.Spec()
        spec.capacity = ["storage": "1Gi"]
        spec.accessModes = ["ReadWriteOnce"]
        spec.storageClassName = "local"
        spec.persistentVolumeReclaimPolicy = "Delete"
        spec.local = PersistentVolume.LocalSource(path: "/var/lib/ordinal/volumes/" + name)
        spec.nodeAffinity = PersistentVolume.NodeAffinity(node: node)
        return PersistentVolume(metadata: ObjectMeta(name: name), spec: spec)
    }

    /// A scratch volume; `EmptyDirSource` has no `package` initializer, so it is decoded.
    static func emptyDirVolume(_ name: String) -> Volume {
        // The literal is well-formed, so decoding cannot fail.
        try! JSONDecoder().decode(Volume.self, from: Data(#"{"name":"\#(name)","emptyDir":{}}"#.utf8))
    }

    static func key(_ name: String, namespace: String = "default") -> ObjectKey {
        ObjectKey(namespace: namespace, name: name)
    }

    static func clusterKey(_ name: String) -> ObjectKey {
        ObjectKey(namespace: "", name: name)
    }
}

/// Kubernetes' long format messages, written out in full so the tests check the text
/// itself rather than the constants the code builds it from.
enum Message {
    static let dnsLabel = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    static let dnsSubdomain = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    static let qualifiedNamePart = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
    static let labelValue = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
    static let percent = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"
    static let portRange = "must be between 1 and 65535, inclusive"
    static let nonNegative = "must be greater than or equal to 0"
    static let selectorMismatch = "`selector` does not match template `labels`"
}

extension ClusterState {
    /// Applies `commands` as one proposal committed at `index`.
    @discardableResult
    mutating func run(_ index: UInt64, at time: Timestamp = Fixture.t0, _ commands: ClusterCommand...) -> ClusterState.Applied {
        apply(ClusterProposal(at: time, commands: commands), at: index)
    }
}

extension ClusterState.Applied {
    /// The single command's result.
    var only: ApplyResult { results.count == 1 ? results[0] : .rejected(StatusError(code: 0, reason: "test", message: "expected one result, got \(results.count)")) }
}

extension ApplyResult {
    var object: ClusterObject? {
        if case .applied(let object, _) = self { return object }
        return nil
    }

    var changed: Bool? {
        if case .applied(_, let changed) = self { return changed }
        return nil
    }

    var error: StatusError? {
        if case .rejected(let error) = self { return error }
        return nil
    }
}

extension ClusterObject {
    var pod: Pod? {
        if case .pod(let pod) = self { return pod }
        return nil
    }

    var statefulSet: StatefulSet? {
        if case .statefulSet(let set) = self { return set }
        return nil
    }
}
