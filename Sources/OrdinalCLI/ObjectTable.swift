import ClusterState

/// The columns `kubectl get` prints for each kind, with `-o wide` extras.
struct ObjectTable {
    let kind: ObjectKind
    let wide: Bool
    let allNamespaces: Bool
    let now: Timestamp

    var headers: [String] {
        let base: [String] = switch kind {
        case .statefulSet: ["name", "ready", "age"] + (wide ? ["containers", "images"] : [])
        case .pod: ["name", "ready", "status", "restarts", "age"] + (wide ? ["ip", "node", "nominated node", "readiness gates"] : [])
        case .persistentVolumeClaim: ["name", "status", "volume", "capacity", "access modes", "storageclass", "volumeattributesclass", "age"] + (wide ? ["volumemode"] : [])
        case .persistentVolume: ["name", "capacity", "access modes", "reclaim policy", "status", "claim", "storageclass", "volumeattributesclass", "reason", "age"] + (wide ? ["volumemode"] : [])
        case .node: ["name", "status", "roles", "age", "version"] + (wide ? ["internal-ip", "external-ip", "os-image", "kernel-version", "container-runtime"] : [])
        case .service: ["name", "type", "cluster-ip", "external-ip", "port(s)", "age"] + (wide ? ["selector"] : [])
        case .controllerRevision: ["name", "controller", "revision", "age"]
        case .event: ["last seen", "type", "reason", "object", "message"]
        }
        return allNamespaces && kind.isNamespaced ? ["namespace"] + base : base
    }

    func row(_ object: ClusterObject) -> [String] {
        let age = object.metadata.creationTimestamp.map { HumanAge.text(seconds: now.seconds - $0.seconds) } ?? "<unknown>"
        let name = object.metadata.name
        let cells: [String]
        switch object {
        case .statefulSet(let set):
            cells = [name, "\(set.status?.readyReplicas ?? 0)/\(set.replicas)", age]
                + (wide ? [set.spec.template.spec.containers.map(\.name).joined(separator: ","),
                           set.spec.template.spec.containers.map { $0.image ?? "" }.joined(separator: ",")] : [])
        case .pod(let pod):
            let ready = pod.status?.containerStatuses?.count { $0.ready } ?? 0
            cells = [name, "\(ready)/\(pod.spec.containers.count)", Self.podStatus(pod), "\(pod.restartCount)", age]
                + (wide ? [pod.status?.podIP ?? "<none>", pod.spec.nodeName ?? "<none>", "<none>", "<none>"] : [])
        case .persistentVolumeClaim(let claim):
            cells = [name, claim.status?.phase ?? "Pending", claim.spec.volumeName ?? "", claim.status?.capacity?["storage"] ?? "",
                     Self.accessModes(claim.status?.accessModes ?? []), claim.spec.storageClassName ?? "", "<unset>", age]
                + (wide ? [claim.spec.volumeMode ?? "Filesystem"] : [])
        case .persistentVolume(let volume):
            let claim = volume.spec.claimRef.map { ($0.namespace ?? "") + "/" + $0.name } ?? ""
            cells = [name, volume.spec.capacity?["storage"] ?? "", Self.accessModes(volume.spec.accessModes ?? []),
                     volume.spec.persistentVolumeReclaimPolicy ?? "", volume.status?.phase ?? "", claim,
                     volume.spec.storageClassName ?? "", "<unset>", "", age] + (wide ? ["Filesystem"] : [])
        case .node(let node):
            let ready = node.status?.conditions?.first { $0.type == "Ready" }?.status == "True"
            cells = [name, ready ? "Ready" : "NotReady", "<none>", age, "ordinal"]
                + (wide ? [node.internalIP ?? "<none>", "<none>", "<unknown>", "<unknown>", "ordinal://process"] : [])
        case .service(let service):
            let ports = (service.spec.ports ?? []).map { "\($0.port)/\($0.protocol ?? "TCP")" }.joined(separator: ",")
            cells = [name, service.spec.type ?? "ClusterIP", service.spec.clusterIP ?? "<none>", "<none>", ports.isEmpty ? "<none>" : ports, age]
                + (wide ? [(service.spec.selector ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")] : [])
        case .controllerRevision(let revision):
            let owner = revision.metadata.ownerReferences?.first.map { "statefulset.apps/" + $0.name } ?? "<none>"
            cells = [name, owner, "\(revision.revision)", age]
        case .event(let event):
            let seen = (event.lastTimestamp ?? object.metadata.creationTimestamp).map { HumanAge.text(seconds: now.seconds - $0.seconds) } ?? ""
            cells = [seen, event.type, event.reason, event.involvedObject.kind.lowercased() + "/" + event.involvedObject.name, event.message]
        }
        return allNamespaces && kind.isNamespaced ? [object.metadata.namespace ?? ""] + cells : cells
    }

    /// kubectl's STATUS column: Terminating, a waiting or terminated container reason, or
    /// the phase.
    static func podStatus(_ pod: Pod) -> String {
        if pod.isTerminating { return "Terminating" }
        for status in pod.status?.containerStatuses ?? [] {
            if let reason = status.state?.waiting?.reason { return reason }
            if let reason = status.state?.terminated?.reason { return reason }
        }
        return pod.status?.reason ?? pod.phase ?? "Pending"
    }

    static func accessModes(_ modes: [String]) -> String {
        modes.map { mode in
            switch mode {
            case "ReadWriteOnce": "RWO"
            case "ReadOnlyMany": "ROX"
            case "ReadWriteMany": "RWX"
            case "ReadWriteOncePod": "RWOP"
            default: mode
            }
        }.joined(separator: ",")
    }
}
