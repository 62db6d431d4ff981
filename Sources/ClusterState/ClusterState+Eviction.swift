extension ClusterState {
    /// The Eviction subresource as Kubernetes' API server applies it: a pod that is not
    /// running (pending, finished) or already being deleted goes without a budget check;
    /// otherwise the one budget that covers it must allow a disruption, or the eviction is
    /// refused with 429. Checked at this index, so concurrent evictions spend one budget
    /// one at a time.
    mutating func evict(_ key: ObjectKey, uid: String?, context: inout ApplyContext) -> ApplyResult {
        guard let pod = pods[key] else { return .rejected(.notFound(.pod, key.name)) }
        if let uid, pod.metadata.uid != uid {
            return .rejected(.uidMismatch(.pod, key.name, expected: uid, stored: pod.metadata.uid))
        }
        let ignoresBudget = pod.isTerminating || [Pod.Phase.pending, Pod.Phase.succeeded, Pod.Phase.failed].contains(pod.phase ?? Pod.Phase.pending)
        let covering = budgets(covering: pod)
        guard !ignoresBudget, let budget = covering.first else {
            return delete(.pod, key, uid: nil, context: &context)
        }
        guard covering.count == 1 else {
            return .rejected(StatusError(code: 500, reason: "InternalError",
                                         message: "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."))
        }
        let status = disruptionStatus(of: budget, at: context.at)
        if !pod.isReady {
            // An unhealthy pod may go while the budget is met, or always under AlwaysAllow.
            let alwaysAllow = budget.spec.unhealthyPodEvictionPolicy == PodDisruptionBudget.alwaysAllow
            guard alwaysAllow || (status.currentHealthy >= status.desiredHealthy && status.desiredHealthy > 0) else {
                return .rejected(.tooManyRequests(budget, status))
            }
            return delete(.pod, key, uid: nil, context: &context)
        }
        guard status.disruptionsAllowed > 0 else { return .rejected(.tooManyRequests(budget, status)) }
        let result = delete(.pod, key, uid: nil, context: &context)
        refreshStatus(of: budget, context: &context)
        return result
    }

    /// The budget's status after an eviction, with the disruption spent. A running pod is
    /// placed, so its deletion leaves it terminating, which the count already excludes:
    /// `disruptedPods` (Kubernetes' guard against a stale count) stays empty here.
    private mutating func refreshStatus(of budget: PodDisruptionBudget, context: inout ApplyContext) {
        var budget = budget
        let status = disruptionStatus(of: budget, at: context.at)
        guard status != budget.status else { return }
        budget.status = status
        _ = context.write(&self, .podDisruptionBudget(budget), as: .modified)
    }
}

extension StatusError {
    /// Kubernetes' refusal of an eviction that would break a budget.
    static func tooManyRequests(_ budget: PodDisruptionBudget, _ status: PodDisruptionBudget.Status) -> StatusError {
        StatusError(
            code: 429, reason: "TooManyRequests",
            message: "Cannot evict pod as it would violate the pod's disruption budget.",
            causes: [Cause(reason: "DisruptionBudget",
                           message: "The disruption budget \(budget.metadata.name) needs \(status.desiredHealthy) healthy pods and has \(status.currentHealthy) currently")]
        )
    }
}
