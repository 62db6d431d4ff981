import ArgumentParser
import ClusterState

/// The resource names kubectl accepts for each kind: plural, singular, short name.
enum ResourceName {
    static func kind(_ text: String) throws -> ObjectKind {
        let name = text.lowercased().split(separator: ".").first.map(String.init) ?? ""
        switch name {
        case "statefulsets", "statefulset", "sts": return .statefulSet
        case "pods", "pod", "po": return .pod
        case "persistentvolumeclaims", "persistentvolumeclaim", "pvc": return .persistentVolumeClaim
        case "persistentvolumes", "persistentvolume", "pv": return .persistentVolume
        case "nodes", "node", "no": return .node
        case "services", "service", "svc": return .service
        case "controllerrevisions", "controllerrevision": return .controllerRevision
        case "events", "event", "ev": return .event
        case "namespaces", "namespace", "ns": return .namespace
        case "poddisruptionbudgets", "poddisruptionbudget", "pdb": return .podDisruptionBudget
        default: throw CLIError("error: the server doesn't have a resource type \"\(text)\"")
        }
    }

    /// `statefulset.apps/web`, as kubectl names an object in its messages.
    static func qualified(_ kind: ObjectKind, _ name: String) -> String {
        let singular = kind.rawValue.lowercased()
        return (kind.group.isEmpty ? singular : singular + "." + kind.group) + "/" + name
    }
}
