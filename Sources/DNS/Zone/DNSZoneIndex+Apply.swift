import ClusterState

/// Keeping the index current as entries are applied.
extension DNSZoneIndex {
    /// Updates the index after `state` changed by `changes`, recomputing only what they
    /// touch: for a pod, its endpoints in the services of its namespace; for a service, its
    /// own records and its endpoints among the pods of its namespace; for a node, its name.
    /// Other kinds do not appear in DNS and are skipped.
    ///
    /// Records are recomputed from `state`, not from the objects inside the changes, so a
    /// batch that touches one object several times costs one recomputation and ends in the
    /// same index as building one from `state` afresh.
    /// - Parameters:
    ///   - changes: what the applied entries changed, in any order (`ClusterState.apply`).
    ///   - state: the state after those changes; it MUST be the state the index was built
    ///     from with every change since then applied.
    package mutating func apply(_ changes: [Change], state: ClusterState) {
        var pods: Set<ObjectKey> = []
        var services: Set<ObjectKey> = []
        var nodes: Set<ObjectKey> = []
        for change in changes {
            switch change.object.kind {
            case .pod: pods.insert(change.object.key)
            case .service: services.insert(change.object.key)
            case .node: nodes.insert(change.object.key)
            case .statefulSet, .persistentVolumeClaim, .persistentVolume, .controllerRevision, .event, .namespace, .podDisruptionBudget: break
            }
        }
        // Pods first, so that a service refreshed next sees every pod of its namespace.
        for key in pods {
            refreshPod(key, in: state)
        }
        for key in services {
            refreshService(key, in: state)
        }
        for key in nodes {
            refreshNode(key, in: state)
        }
    }

    /// Recomputes the pod's endpoint in each service of its namespace.
    mutating func refreshPod(_ key: ObjectKey, in state: ClusterState) {
        let pod = state.pods[key]
        if pod != nil {
            podsByNamespace[key.namespace, default: []].insert(key.name)
        } else {
            Self.remove(key.name, from: &podsByNamespace, namespace: key.namespace)
        }
        for serviceName in servicesByNamespace[key.namespace] ?? [] {
            let serviceKey = ObjectKey(namespace: key.namespace, name: serviceName)
            refreshEndpoint(service: serviceKey, pod: key.name, in: state)
        }
    }

    /// Recomputes the service's own records and its endpoint for each pod of its namespace.
    mutating func refreshService(_ key: ObjectKey, in state: ClusterState) {
        let service = state.services[key]
        if let service {
            servicesByNamespace[key.namespace, default: []].insert(key.name)
            replace(.service(key), with: .service(service, key: key, names: names))
        } else {
            Self.remove(key.name, from: &servicesByNamespace, namespace: key.namespace)
            replace(.service(key), with: .empty)
        }
        for podName in podsByNamespace[key.namespace] ?? [] {
            refreshEndpoint(service: key, pod: podName, in: state)
        }
    }

    mutating func refreshNode(_ key: ObjectKey, in state: ClusterState) {
        let contribution = state.nodes[key].map { ZoneContribution.node($0, names: names) } ?? .empty
        replace(.node(name: key.name), with: contribution)
    }

    private mutating func refreshEndpoint(service serviceKey: ObjectKey, pod podName: String, in state: ClusterState) {
        var contribution = ZoneContribution.empty
        if let service = state.services[serviceKey],
           let pod = state.pods[ObjectKey(namespace: serviceKey.namespace, name: podName)] {
            contribution = .endpoint(pod, of: service, serviceKey: serviceKey, names: names)
        }
        replace(.endpoint(service: serviceKey, pod: podName), with: contribution)
    }

    /// Removes `name` from the set of `namespace`, and the set once empty, so that equal
    /// states give equal indexes.
    private static func remove(_ name: String, from table: inout [String: Set<String>], namespace: String) {
        table[namespace]?.remove(name)
        if table[namespace]?.isEmpty == true {
            table[namespace] = nil
        }
    }
}
