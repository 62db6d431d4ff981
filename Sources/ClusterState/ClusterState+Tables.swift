extension ClusterState {
    /// The object of `kind` at `key`, if stored.
    package func object(_ kind: ObjectKind, _ key: ObjectKey) -> ClusterObject? {
        switch kind {
        case .statefulSet: statefulSets[key].map(ClusterObject.statefulSet)
        case .service: services[key].map(ClusterObject.service)
        case .pod: pods[key].map(ClusterObject.pod)
        case .persistentVolumeClaim: claims[key].map(ClusterObject.persistentVolumeClaim)
        case .persistentVolume: volumes[key].map(ClusterObject.persistentVolume)
        case .node: nodes[key].map(ClusterObject.node)
        case .controllerRevision: revisions[key].map(ClusterObject.controllerRevision)
        case .event: events[key].map(ClusterObject.event)
        case .namespace: namespaces[key].map(ClusterObject.namespace)
        case .podDisruptionBudget: budgets[key].map(ClusterObject.podDisruptionBudget)
        }
    }

    /// Every object of `kind`, sorted by namespace and name; only `namespace` when given.
    package func objects(_ kind: ObjectKind, namespace: String? = nil) -> [ClusterObject] {
        func sorted<T>(_ table: [ObjectKey: T], _ wrap: (T) -> ClusterObject) -> [ClusterObject] {
            table.filter { namespace == nil || $0.key.namespace == namespace }
                .sorted { $0.key < $1.key }.map { wrap($0.value) }
        }
        return switch kind {
        case .statefulSet: sorted(statefulSets, ClusterObject.statefulSet)
        case .service: sorted(services, ClusterObject.service)
        case .pod: sorted(pods, ClusterObject.pod)
        case .persistentVolumeClaim: sorted(claims, ClusterObject.persistentVolumeClaim)
        case .persistentVolume: sorted(volumes, ClusterObject.persistentVolume)
        case .node: sorted(nodes, ClusterObject.node)
        case .controllerRevision: sorted(revisions, ClusterObject.controllerRevision)
        case .event: sorted(events, ClusterObject.event)
        case .namespace: sorted(namespaces, ClusterObject.namespace)
        case .podDisruptionBudget: sorted(budgets, ClusterObject.podDisruptionBudget)
        }
    }

    /// Every stored object, for writing a snapshot.
    package var allObjects: [ClusterObject] {
        ObjectKind.allCases.flatMap { objects($0) }
    }

    /// Puts `object` at its key, replacing what was there (used by `apply` and by loading
    /// the materialised state from disk).
    package mutating func store(_ object: ClusterObject) {
        let key = object.key
        switch object {
        case .statefulSet(let value): statefulSets[key] = value
        case .service(let value): services[key] = value
        case .pod(let value): pods[key] = value
        case .persistentVolumeClaim(let value): claims[key] = value
        case .persistentVolume(let value): volumes[key] = value
        case .node(let value): nodes[key] = value
        case .controllerRevision(let value): revisions[key] = value
        case .event(let value): events[key] = value
        case .namespace(let value): namespaces[key] = value
        case .podDisruptionBudget(let value): budgets[key] = value
        }
    }

    mutating func remove(_ kind: ObjectKind, _ key: ObjectKey) {
        switch kind {
        case .statefulSet: statefulSets[key] = nil
        case .service: services[key] = nil
        case .pod: pods[key] = nil
        case .persistentVolumeClaim: claims[key] = nil
        case .persistentVolume: volumes[key] = nil
        case .node: nodes[key] = nil
        case .controllerRevision: revisions[key] = nil
        case .event: events[key] = nil
        case .namespace: namespaces[key] = nil
        case .podDisruptionBudget: budgets[key] = nil
        }
    }
}
