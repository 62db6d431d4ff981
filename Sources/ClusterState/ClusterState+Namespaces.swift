extension ClusterState {
    /// Kubernetes' NamespaceLifecycle admission, applied with the entry so it cannot race a
    /// namespace's deletion: nothing is created in a namespace that does not exist (404) or
    /// is being deleted (403).
    func namespaceRefusal(of object: ClusterObject) -> StatusError? {
        guard object.kind.isNamespaced else { return nil }
        let name = object.key.namespace
        guard let namespace = namespaces[ObjectKey(namespace: "", name: name)] else {
            return name == Namespace.defaultName ? nil : .notFound(.namespace, name)
        }
        guard namespace.metadata.isTerminating else { return nil }
        return .forbidden(object.kind, object.metadata.name, "unable to create new content in namespace \(name) because it is being terminated")
    }

    /// Every namespace some stored object is in, stored as a Namespace or not: a cluster
    /// that ran before namespaces were objects has objects in namespaces never created.
    /// Read from the namespaced tables' keys (every namespaced kind has one here): the
    /// controller asks every pass, so nothing is sorted or copied.
    package var namespacesInUse: Set<String> {
        var names: Set<String> = []
        for key in statefulSets.keys { names.insert(key.namespace) }
        for key in services.keys { names.insert(key.namespace) }
        for key in pods.keys { names.insert(key.namespace) }
        for key in claims.keys { names.insert(key.namespace) }
        for key in revisions.keys { names.insert(key.namespace) }
        for key in events.keys { names.insert(key.namespace) }
        for key in budgets.keys { names.insert(key.namespace) }
        return names
    }
}
