/// Kubernetes' `ValidatePodDisruptionBudgetSpec`: at most one of `minAvailable` and
/// `maxUnavailable`, each a non-negative int32 or a percentage up to 100%, a valid selector
/// and a known unhealthy-pod eviction policy.
enum DisruptionBudgetRules {
    static let evictionPolicies = [PodDisruptionBudget.alwaysAllow, PodDisruptionBudget.ifHealthyBudget]

    static func errors(_ budget: PodDisruptionBudget) -> [FieldError] {
        let spec = FieldPath("spec")
        var errors = MetadataRules.errors(budget.metadata, namespaced: true, format: .dns1123Subdomain)
        if let minAvailable = budget.spec.minAvailable, budget.spec.maxUnavailable != nil {
            errors.append(.invalid(spec.child("minAvailable"), .intOrString(minAvailable), "minAvailable and maxUnavailable cannot be both set"))
        }
        for (field, value) in [("minAvailable", budget.spec.minAvailable), ("maxUnavailable", budget.spec.maxUnavailable)] {
            guard let value else { continue }
            errors += countOrPercentErrors(value, at: spec.child(field))
        }
        if let selector = budget.spec.selector {
            errors += MetadataRules.selectorErrors(selector, at: spec.child("selector"))
        }
        if let policy = budget.spec.unhealthyPodEvictionPolicy, !evictionPolicies.contains(policy) {
            errors.append(.notSupported(spec.child("unhealthyPodEvictionPolicy"), policy, supported: evictionPolicies))
        }
        return errors
    }

    /// An int32 of at least 0, or a percentage from 0% to 100%.
    static func countOrPercentErrors(_ value: IntOrString, at path: FieldPath) -> [FieldError] {
        let shown = FieldError.Value.intOrString(value)
        switch value {
        case .int(let number):
            return StatefulSetRules.nonNegative(number, at: path)
        case .string(let text):
            guard let percent = NameSyntax.percentValue(text) else {
                return NameSyntax.percent(text).map { .invalid(path, shown, $0) }
            }
            return percent > 100 ? [.invalid(path, shown, "must not be greater than 100%")] : []
        }
    }

    /// Every count an int32 of at least 0.
    static func statusErrors(_ status: PodDisruptionBudget.Status?) -> [FieldError] {
        guard let status else { return [] }
        let path = FieldPath("status")
        let counts = [("disruptionsAllowed", status.disruptionsAllowed), ("currentHealthy", status.currentHealthy),
                      ("desiredHealthy", status.desiredHealthy), ("expectedPods", status.expectedPods)]
        return counts.flatMap { field, value in StatefulSetRules.nonNegative(value, at: path.child(field)) }
    }
}
