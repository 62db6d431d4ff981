extension StrategicMergePatch {
    /// How a list field merges, decided by the field's name because Ordinal has no OpenAPI
    /// schema. The table follows the `patchStrategy`/`patchMergeKey` struct tags of
    /// `k8s.io/api` for the kinds Ordinal serves (core/v1 Pod, Service, PVC, Node, Event;
    /// apps/v1 StatefulSet; meta/v1 ObjectMeta); no field name there has two strategies,
    /// except `ports`, told apart by its elements.
    enum ListStrategy: Equatable {
        /// Replaced wholesale by the patch's list (no `patchStrategy` tag).
        case replace
        /// A set of scalars: patch values are added, duplicates dropped (`finalizers`).
        case set
        /// Objects matched by the value of this field.
        case key(String)

        /// The strategy of the list field `name`.
        static func forField(_ name: String) -> ListStrategy {
            switch name {
            case "containers", "initContainers", "ephemeralContainers", "env", "volumes", "imagePullSecrets",
                 "resourceClaims", "schedulingGates":
                .key("name")
            case "volumeMounts": .key("mountPath")
            case "volumeDevices": .key("devicePath")
            case "ownerReferences": .key("uid")
            case "conditions", "addresses": .key("type")
            case "hostAliases", "podIPs", "hostIPs": .key("ip")
            case "topologySpreadConstraints": .key("topologyKey")
            // A container's ports merge by containerPort, a Service's by port.
            case "ports": .key("containerPort")
            case "finalizers", "podCIDRs": .set
            default: .replace
            }
        }

        /// The strategy for one merge, given the elements involved: `ports` falls back to
        /// Service ports (`port`) when no element carries `containerPort`.
        static func forField(_ name: String, elements: [JSONValue]) -> ListStrategy {
            let strategy = forField(name)
            guard strategy == .key("containerPort") else { return strategy }
            let isContainerPorts = elements.contains { element in
                if case .object(let fields) = element { return fields["containerPort"] != nil }
                return false
            }
            return isContainerPorts ? strategy : .key("port")
        }
    }
}
