extension ClusterState {
    /// Whether objects may be created in `name`: `default` always; any other namespace once
    /// it is stored and while it is not being deleted.
    package func namespaceAccepts(_ name: String) -> Bool {
        guard let namespace = namespaces[ObjectKey(namespace: "", name: name)] else { return name == Namespace.defaultName }
        return !namespace.metadata.isTerminating
    }

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
    package var namespacesInUse: Set<String> {
        var names: Set<String> = []
        for kind in ObjectKind.allCases where kind.isNamespaced {
            for object in objects(kind) { names.insert(object.key.namespace) }
        }
        return names
    }
}
