/// Bounds on the status a controller, an agent or a client (`kubectl patch --subresource
/// status`) writes: every count is an int32 of at least 0, as in Kubernetes' types, so sums
/// over a set's pods or a pod's containers cannot overflow. Checked by
/// ``ClusterState/apply(_:at:)`` on every status write, whoever proposed it.
extension ClusterObject {
    package func statusErrors() -> [FieldError] {
        let status = FieldPath("status")
        switch self {
        case .statefulSet(let set):
            guard let current = set.status else { return [] }
            let counts: [(String, Int?)] = [
                ("replicas", current.replicas), ("readyReplicas", current.readyReplicas), ("currentReplicas", current.currentReplicas),
                ("updatedReplicas", current.updatedReplicas), ("availableReplicas", current.availableReplicas), ("collisionCount", current.collisionCount),
            ]
            return counts.flatMap { field, value in StatefulSetRules.nonNegative(value, at: status.child(field)) }
        case .pod(let pod):
            let containers = pod.status?.containerStatuses ?? []
            return containers.enumerated().flatMap { position, container in
                let at = status.child("containerStatuses").index(position)
                var errors = StatefulSetRules.nonNegative(container.restartCount, at: at.child("restartCount"))
                for (field, state) in [("state", container.state), ("lastState", container.lastState)] {
                    guard let code = state?.terminated?.exitCode, code < Int(Int32.min) || code > Int(Int32.max) else { continue }
                    errors.append(.invalid(at.child(field, "terminated", "exitCode"), .int(code), "must be an int32"))
                }
                return errors
            }
        case .podDisruptionBudget(let budget):
            return DisruptionBudgetRules.statusErrors(budget.status)
        default:
            return []
        }
    }
}
