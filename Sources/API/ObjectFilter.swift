import ClusterState
import Hummingbird

/// Which objects a list or watch returns: the kind and namespace of the path, plus
/// `labelSelector` and `fieldSelector` (`metadata.name`, `metadata.namespace`, `spec.nodeName`,
/// and for events `involvedObject.{kind,namespace,name,uid}`, `reason`, `type`, which
/// `kubectl describe` asks for).
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
            guard Self.fieldKeys.contains(key) else {
                throw KubeStatus.badRequest("field label not supported: \(key)")
            }
            return (key, String(value), equal)
        }
    }

    static let fieldKeys: Set<String> = [
        "metadata.name", "metadata.namespace", "spec.nodeName",
        "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "reason", "type",
    ]

    func matches(_ object: ClusterObject) -> Bool {
        guard object.kind == kind, namespace == nil || object.key.namespace == namespace,
              labels.matches(object.metadata.labels) else { return false }
        return fields.allSatisfy { field in
            (Self.field(field.key, of: object) ?? "" == field.value) == field.equal
        }
    }

    private static func field(_ key: String, of object: ClusterObject) -> String? {
        switch (key, object) {
        case ("metadata.name", _): object.metadata.name
        case ("metadata.namespace", _): object.metadata.namespace
        case ("spec.nodeName", .pod(let pod)): pod.spec.nodeName
        case ("involvedObject.kind", .event(let event)): event.involvedObject.kind
        case ("involvedObject.namespace", .event(let event)): event.involvedObject.namespace
        case ("involvedObject.name", .event(let event)): event.involvedObject.name
        case ("involvedObject.uid", .event(let event)): event.involvedObject.uid
        case ("reason", .event(let event)): event.reason
        case ("type", .event(let event)): event.type
        default: nil
        }
    }
}
