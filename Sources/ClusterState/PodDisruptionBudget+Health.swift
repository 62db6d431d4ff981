extension ClusterState {
    /// How long an evicted pod may stay in `disruptedPods` without going away before the
    /// budget counts it again (Kubernetes' `DeletionTimeout`, 2 minutes).
    package static let disruptionTimeout: Int64 = 120

    /// The budget's status as Kubernetes' disruption controller computes it from this state
    /// at `now`: the pods it covers, how many of them are healthy (Ready, not being deleted,
    /// not just evicted), how many must be, and how many more may be disrupted.
    ///
    /// The Eviction subresource calls this while applying an eviction, so the answer is
    /// exact at that index rather than as fresh as the controller's last pass.
    package func disruptionStatus(of budget: PodDisruptionBudget, at now: Timestamp) -> PodDisruptionBudget.Status {
        let covered = pods.values.filter { budget.covers($0) }.sorted { $0.metadata.name < $1.metadata.name }
        let previous = budget.status
        var disrupted: [String: Timestamp] = [:]
        for pod in covered where !pod.isTerminating {
            if let when = previous?.disruptedPods?[pod.metadata.name], now < when + Self.disruptionTimeout {
                disrupted[pod.metadata.name] = when
            }
        }
        let healthy = covered.filter { !$0.isTerminating && disrupted[$0.metadata.name] == nil && $0.isReady }.count
        var status = PodDisruptionBudget.Status(currentHealthy: healthy)
        status.observedGeneration = budget.metadata.generation
        status.disruptedPods = disrupted.isEmpty ? nil : disrupted
        switch expectation(of: budget, covering: covered) {
        case .success(let expectation):
            status.expectedPods = expectation.expected
            status.desiredHealthy = expectation.desired
            let allowed = healthy - expectation.desired
            status.disruptionsAllowed = expectation.expected <= 0 || allowed <= 0 ? 0 : allowed
            let sufficient = status.disruptionsAllowed > 0
            status.conditions = [disruptionCondition(
                sufficient ? "True" : "False", reason: sufficient ? "SufficientPods" : "InsufficientPods",
                message: "", previous: previous, now: now
            )]
        case .failure(let error):
            // Kubernetes' fail-safe: counts as they were, no disruption allowed.
            status.expectedPods = previous?.expectedPods ?? 0
            status.desiredHealthy = previous?.desiredHealthy ?? 0
            status.disruptionsAllowed = 0
            status.conditions = [disruptionCondition("False", reason: "SyncFailed", message: error.message, previous: previous, now: now)]
        }
        return status
    }

    /// The budget that covers `pod`: none, one, or (an error for the Eviction subresource)
    /// several.
    package func budgets(covering pod: Pod) -> [PodDisruptionBudget] {
        budgets.values.filter { $0.covers(pod) }.sorted { $0.metadata.name < $1.metadata.name }
    }

    private struct Expectation {
        var expected: Int
        var desired: Int
    }

    private struct ExpectationError: Error {
        var message: String
    }

    /// Kubernetes' `getExpectedPodCount`: an integer `minAvailable` counts the pods there
    /// are; `maxUnavailable` and a percentage count the replicas their controllers want.
    private func expectation(of budget: PodDisruptionBudget, covering pods: [Pod]) -> Result<Expectation, ExpectationError> {
        if let maxUnavailable = budget.spec.maxUnavailable {
            return expectedScale(of: pods).map { expected in
                let unavailable = maxUnavailable.scaled(against: expected, roundingUp: true) ?? 0
                return Expectation(expected: expected, desired: max(0, expected - unavailable))
            }
        }
        switch budget.spec.minAvailable {
        case .int(let count)?:
            return .success(Expectation(expected: pods.count, desired: count))
        case .string(let percent)?:
            return expectedScale(of: pods).map { expected in
                Expectation(expected: expected, desired: IntOrString.string(percent).scaled(against: expected, roundingUp: true) ?? 0)
            }
        case nil:
            return .success(Expectation(expected: 0, desired: 0))
        }
    }

    /// The replicas wanted by the controllers (StatefulSets) of `pods`, each counted once.
    private func expectedScale(of pods: [Pod]) -> Result<Int, ExpectationError> {
        var counted: Set<String> = []
        var total = 0
        for pod in pods {
            guard let owner = pod.metadata.ownerReferences?.first(where: { $0.controller == true }) else {
                return .failure(ExpectationError(message: "found no controller ref for pod \"\(pod.metadata.name)\""))
            }
            guard counted.insert(owner.uid).inserted else { continue }
            let key = ObjectKey(namespace: pod.metadata.namespace ?? Namespace.defaultName, name: owner.name)
            guard owner.kind == ObjectKind.statefulSet.rawValue, let set = statefulSets[key], set.metadata.uid == owner.uid else {
                return .failure(ExpectationError(message: "found no controllers for pod \"\(pod.metadata.name)\""))
            }
            total = total.addingReportingOverflow(set.spec.replicas ?? 1).overflow ? Int.max : total + (set.spec.replicas ?? 1)
        }
        return .success(total)
    }

    private func disruptionCondition(_ value: String, reason: String, message: String,
                                     previous: PodDisruptionBudget.Status?, now: Timestamp) -> Pod.Condition {
        let old = previous?.conditions?.first { $0.type == "DisruptionAllowed" }
        var condition = Pod.Condition(type: "DisruptionAllowed", status: value, lastTransitionTime: old?.status == value ? old?.lastTransitionTime : now)
        condition.reason = reason
        condition.message = message
        return condition
    }
}
