import ClusterState

extension KubeResource {
    /// Every resource served, in discovery order.
    static var all: [KubeResource] { ObjectKind.allCases.map(KubeResource.init(kind:)) }

    /// The verbs the generic routes serve for every kind (no `deletecollection`).
    static var verbs: [String] { ["create", "delete", "get", "list", "patch", "update", "watch"] }

    /// `statefulset`: the lower-case kind.
    var singularName: String { kind.rawValue.lowercased() }

    /// Kubernetes' short names; kubectl knows `sts`, `pvc`, `po`, `svc` only through these.
    var shortNames: [String]? {
        switch kind {
        case .statefulSet: ["sts"]
        case .service: ["svc"]
        case .pod: ["po"]
        case .persistentVolumeClaim: ["pvc"]
        case .persistentVolume: ["pv"]
        case .node: ["no"]
        case .event: ["ev"]
        case .namespace: ["ns"]
        case .podDisruptionBudget: ["pdb"]
        case .controllerRevision: nil
        }
    }

    /// `all` for the kinds `kubectl get all` lists in Kubernetes.
    var categories: [String]? {
        switch kind {
        case .statefulSet, .service, .pod: ["all"]
        default: nil
        }
    }

    /// The discovery entries of this resource and its subresources.
    var discoveryEntries: [APIResource] {
        var entries = [APIResource(name: plural, singularName: singularName, namespaced: kind.isNamespaced, kind: kind.rawValue,
                                   verbs: Self.verbs, shortNames: shortNames, categories: categories)]
        switch kind {
        case .statefulSet:
            // kubectl's conditional scale needs the autoscaling/v1 Scale kind here.
            entries.append(APIResource(name: plural + "/scale", singularName: "", namespaced: true, group: "autoscaling",
                                       version: "v1", kind: "Scale", verbs: ["get", "patch", "update"]))
            entries.append(APIResource(name: plural + "/status", singularName: "", namespaced: true, kind: kind.rawValue, verbs: ["get"]))
        case .pod:
            entries.append(APIResource(name: plural + "/log", singularName: "", namespaced: true, kind: kind.rawValue, verbs: ["get"]))
            // kubectl drain evicts (and so honours budgets) only when it finds this entry,
            // with its group and version; otherwise it deletes pods outright.
            entries.append(APIResource(name: plural + "/eviction", singularName: "", namespaced: true, group: "policy",
                                       version: "v1", kind: "Eviction", verbs: ["create"]))
        default:
            break
        }
        return entries
    }
}
