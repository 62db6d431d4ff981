import ClusterState
import Hummingbird

/// Which objects a list or watch returns: the kind and namespace of the path, plus
/// `labelSelector` and `fieldSelector` (`metadata.name`, `metadata.namespace`, `spec.nodeName`).
struct ObjectFilter: Sendable {
    var kind: ObjectKind
    var namespace: String?
    var labels: LabelSelector
    var fields: [(key: String, value: String, equal: Bool)]

    init(query: Parameters, target: KubeTarget) throws {
        kind = target.kind
        namespace = target.kind.isNamespaced ? target.namespace : nil
        do {
            labels = try LabelSelector(parsing: query.get("labelSelector") ?? "")
        } catch {
            throw KubeStatus.badRequest(error.description)
        }
        fields = try (query.get("fieldSelector") ?? "").split(separator: ",").map { term in
            let text = String(term)
            let equal = !text.contains("!=")
            let parts = text.split(separator: equal ? "=" : "!", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw KubeStatus.badRequest("invalid field selector: \(text)") }
            let value = parts[1].drop { $0 == "=" }
            let key = parts[0]
            guard ["metadata.name", "metadata.namespace", "spec.nodeName"].contains(key) else {
                throw KubeStatus.badRequest("field label not supported: \(key)")
            }
            return (key, String(value), equal)
        }
    }

    func matches(_ object: ClusterObject) -> Bool {
        guard object.kind == kind, namespace == nil || object.key.namespace == namespace,
              labels.matches(object.metadata.labels) else { return false }
        return fields.allSatisfy { field in
            let actual: String? = switch field.key {
            case "metadata.name": object.metadata.name
            case "metadata.namespace": object.metadata.namespace
            default: if case .pod(let pod) = object { pod.spec.nodeName } else { nil }
            }
            return (actual ?? "" == field.value) == field.equal
        }
    }
}
