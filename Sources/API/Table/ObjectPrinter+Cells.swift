package import ClusterState

extension ObjectPrinter {
    /// The cells of `object`, one per column of ``columns(_:)`` (wide ones included).
    /// - Parameter now: the time ages are measured at.
    package static func cells(_ object: ClusterObject, now: Timestamp) -> [TableCell] {
        let name = TableCell.string(object.metadata.name)
        let age = TableCell.string(HumanDuration.since(object.metadata.creationTimestamp, now: now))
        switch object {
        case .statefulSet(let set):
            let containers = set.spec.template.spec.containers
            return [name, .string("\(set.status?.readyReplicas ?? 0)/\(set.replicas)"), age,
                    .string(containers.map(\.name).joined(separator: ",")),
                    .string(containers.map { $0.image ?? "" }.joined(separator: ","))]
        case .pod(let pod):
            return podCells(pod, name: name, age: age, now: now)
        case .persistentVolumeClaim(let claim):
            let bound = !(claim.spec.volumeName ?? "").isEmpty
            return [name, .string(object.metadata.isTerminating ? "Terminating" : claim.status?.phase ?? "Pending"),
                    .string(claim.spec.volumeName ?? ""),
                    .string(bound ? claim.status?.capacity?["storage"] ?? "" : ""),
                    .string(bound ? accessModes(claim.status?.accessModes) : ""),
                    .string(claim.spec.storageClassName ?? object.metadata.annotations?[betaStorageClass] ?? ""),
                    "<unset>", age, .string(claim.spec.volumeMode ?? "Filesystem")]
        case .persistentVolume(let volume):
            let claim = volume.spec.claimRef.map { ($0.namespace ?? "") + "/" + $0.name } ?? ""
            return [name, .string(volume.spec.capacity?["storage"] ?? ""), .string(accessModes(volume.spec.accessModes)),
                    .string(volume.spec.persistentVolumeReclaimPolicy ?? ""),
                    .string(object.metadata.isTerminating ? "Terminating" : volume.status?.phase ?? ""), .string(claim),
                    .string(volume.spec.storageClassName ?? object.metadata.annotations?[betaStorageClass] ?? ""),
                    "<unset>", "", .string(volume.replicationState?.rawValue ?? "Local"), .string(copies(volume)), age, "Filesystem"]
        case .node(let node):
            return [name, .string(nodeStatus(node)), .string(nodeRoles(node)), age, "ordinal",
                    .string(node.internalIP ?? "<none>"),
                    .string(node.status?.addresses?.first { $0.type == "ExternalIP" }?.address ?? "<none>"),
                    "<unknown>", "<unknown>", "ordinal://process"]
        case .service(let service):
            return serviceCells(service, name: name, age: age)
        case .controllerRevision(let revision):
            let controller = revision.metadata.ownerReferences?.first { $0.controller == true }.map { reference in
                let group = reference.apiVersion.split(separator: "/").dropLast().first.map { "." + $0 } ?? ""
                return reference.kind.lowercased() + group + "/" + reference.name
            }
            return [name, .string(controller ?? "<none>"), .integer(revision.revision), age]
        case .event(let event):
            return eventCells(event, now: now)
        case .namespace(let namespace):
            return [name, .string(namespace.status?.phase ?? Namespace.active), age]
        case .podDisruptionBudget(let budget):
            return [name, .string(budget.spec.minAvailable?.description ?? "N/A"), .string(budget.spec.maxUnavailable?.description ?? "N/A"),
                    .integer(Int64(budget.status?.disruptionsAllowed ?? 0)), age]
        }
    }

    /// `n1*,n2(0.8s)`: a replicated volume's copies, the primary marked, the others with
    /// their lag (`-` before they acknowledged a snapshot); a local volume's node.
    private static func copies(_ volume: PersistentVolume) -> String {
        guard let source = volume.spec.replicated else { return volume.node ?? "" }
        return source.nodes.map { node in
            node == source.primary ? node + "*" : node + "(" + (volume.lagMillis(of: node).map { ReplicationLag.text(millis: $0) } ?? "-") + ")"
        }.joined(separator: ",")
    }

    private static let betaStorageClass = "volume.beta.kubernetes.io/storage-class"

    /// `RWO,ROX`: Kubernetes' short access modes.
    package static func accessModes(_ modes: [String]?) -> String {
        (modes ?? []).map { mode in
            switch mode {
            case "ReadWriteOnce": "RWO"
            case "ReadOnlyMany": "ROX"
            case "ReadWriteMany": "RWX"
            case "ReadWriteOncePod": "RWOP"
            default: mode
            }
        }.joined(separator: ",")
    }

    /// `a=1,b=2` sorted by key, `<none>` when empty (Go's `labels.FormatLabels`).
    package static func labels(_ labels: [String: String]?) -> String {
        guard let labels, !labels.isEmpty else { return "<none>" }
        return labels.sorted { $0.key < $1.key }.map { $0.key + "=" + $0.value }.joined(separator: ",")
    }

    private static func serviceCells(_ service: Service, name: TableCell, age: TableCell) -> [TableCell] {
        let type = service.spec.type ?? "ClusterIP"
        let clusterIP = service.spec.clusterIPs?.first ?? service.spec.clusterIP
        let external = switch type {
        case "ClusterIP", "NodePort": "<none>"
        case "LoadBalancer": "<pending>"
        case "ExternalName": ""
        default: "<unknown>"
        }
        let ports = (service.spec.ports ?? []).map { "\($0.port)/\($0.protocol ?? "TCP")" }.joined(separator: ",")
        return [name, .string(type), .string(clusterIP.flatMap { $0.isEmpty ? nil : $0 } ?? "<none>"), .string(external),
                .string(ports.isEmpty ? "<none>" : ports), age, .string(labels(service.spec.selector))]
    }

    private static func nodeStatus(_ node: Node) -> String {
        var status: [String] = []
        if let ready = node.status?.conditions?.first(where: { $0.type == "Ready" }) {
            status.append(ready.status == "True" ? "Ready" : "NotReady")
        } else {
            status.append("Unknown")
        }
        if node.spec.unschedulable == true { status.append("SchedulingDisabled") }
        return status.joined(separator: ",")
    }

    /// `node-role.kubernetes.io/<role>` labels and `kubernetes.io/role=<role>`, sorted.
    private static func nodeRoles(_ node: Node) -> String {
        let prefix = "node-role.kubernetes.io/"
        let roles = Set((node.metadata.labels ?? [:]).compactMap { key, value -> String? in
            if key.hasPrefix(prefix), key.count > prefix.count { return String(key.dropFirst(prefix.count)) }
            if key == "kubernetes.io/role", !value.isEmpty { return value }
            return nil
        })
        return roles.isEmpty ? "<none>" : roles.sorted().joined(separator: ",")
    }

    private static func eventCells(_ event: Event, now: Timestamp) -> [TableCell] {
        let first = HumanDuration.since(event.firstTimestamp ?? event.metadata.creationTimestamp, now: now)
        let last = event.lastTimestamp.map { HumanDuration.since($0, now: now) } ?? first
        let target = event.involvedObject.name.isEmpty
            ? event.involvedObject.kind.lowercased()
            : event.involvedObject.kind.lowercased() + "/" + event.involvedObject.name
        let component = event.source?["component"] ?? ""
        let host = event.source?["host"] ?? ""
        let count = event.count.map { $0 == 0 ? 1 : $0 } ?? 1
        return [.string(last), .string(event.type), .string(event.reason), .string(target), "",
                .string(host.isEmpty ? component : component + ", " + host),
                .string(trimmed(event.message)), .string(first), .integer(Int64(count)), .string(event.metadata.name)]
    }

    private static func trimmed(_ text: String) -> String {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        return String(text.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
