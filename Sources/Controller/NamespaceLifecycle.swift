import ClusterState

/// Kubernetes' namespace controller: `default` exists from the start, a namespace being
/// deleted is emptied (everything in it deleted, which the usual finalizers then finish)
/// and removed once nothing is left in it.
///
/// A cluster that ran before namespaces were objects holds objects in namespaces never
/// created; those namespaces are created here, so upgrading changes nothing a user sees.
enum NamespaceLifecycle {
    static func commands(state: ClusterState) -> [ClusterCommand] {
        var commands: [ClusterCommand] = []
        for name in state.namespacesInUse.union([Namespace.defaultName]).sorted()
        where state.namespaces[ObjectKey(namespace: "", name: name)] == nil {
            commands.append(.create(.namespace(Namespace(metadata: ObjectMeta(name: name)))))
        }
        for key in state.namespaces.keys.sorted() {
            guard let namespace = state.namespaces[key], namespace.metadata.isTerminating, let uid = namespace.metadata.uid else { continue }
            let contents = ObjectKind.allCases.filter(\.isNamespaced).flatMap { state.objects($0, namespace: key.name) }
            guard !contents.isEmpty else {
                commands.append(.finalize(.namespace, key, uid: uid))
                continue
            }
            for object in contents where !object.metadata.isTerminating {
                commands.append(.delete(object.kind, object.key, uid: object.metadata.uid))
            }
        }
        return commands
    }
}

/// Kubernetes' disruption controller: each PodDisruptionBudget's status kept as
/// ``ClusterState/disruptionStatus(of:at:)`` computes it, so `kubectl get pdb` shows the
/// disruptions allowed. Evictions do not rely on it: they compute the same at apply time.
enum DisruptionStatusSync {
    static func commands(state: ClusterState, now: Timestamp) -> [ClusterCommand] {
        state.budgets.keys.sorted().compactMap { key in
            guard var budget = state.budgets[key], !budget.metadata.isTerminating else { return nil }
            let status = state.disruptionStatus(of: budget, at: now)
            guard status != budget.status else { return nil }
            budget.status = status
            return .updateStatus(.podDisruptionBudget(budget))
        }
    }
}
