/// policy/v1 PodDisruptionBudget: how many of a set of pods must stay healthy while pods are
/// evicted on purpose (a drain). The Eviction subresource checks it when the eviction is
/// applied, against the replicated state, so two evictions racing on two agents can never
/// both spend the last allowed disruption.
package struct PodDisruptionBudget: Codable, Sendable, Hashable {
    package var apiVersion: String?
    package var kind: String?
    package var metadata: ObjectMeta
    package var spec: Spec
    package var status: Status?

    package init(metadata: ObjectMeta, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }

    package struct Spec: Codable, Sendable, Hashable {
        package var minAvailable: IntOrString?
        package var maxUnavailable: IntOrString?
        /// Null selects no pod; an empty selector selects every pod of the namespace.
        package var selector: LabelSelector?
        /// `IfHealthyBudget` (the default) or `AlwaysAllow`.
        package var unhealthyPodEvictionPolicy: String?

        package init(minAvailable: IntOrString? = nil, maxUnavailable: IntOrString? = nil, selector: LabelSelector?) {
            self.minAvailable = minAvailable
            self.maxUnavailable = maxUnavailable
            self.selector = selector
        }
    }

    package struct Status: Codable, Sendable, Hashable {
        package var observedGeneration: Int64?
        /// Pods evicted and not yet seen going away, with the time of the eviction.
        package var disruptedPods: [String: Timestamp]?
        package var disruptionsAllowed: Int
        package var currentHealthy: Int
        package var desiredHealthy: Int
        package var expectedPods: Int
        package var conditions: [Pod.Condition]?

        package init(disruptionsAllowed: Int = 0, currentHealthy: Int = 0, desiredHealthy: Int = 0, expectedPods: Int = 0) {
            self.disruptionsAllowed = disruptionsAllowed
            self.currentHealthy = currentHealthy
            self.desiredHealthy = desiredHealthy
            self.expectedPods = expectedPods
        }
    }

    package static let alwaysAllow = "AlwaysAllow"
    package static let ifHealthyBudget = "IfHealthyBudget"

    /// Whether the budget covers `pod` (same namespace, selector matches).
    package func covers(_ pod: Pod) -> Bool {
        guard let selector = spec.selector, pod.metadata.namespace == metadata.namespace else { return false }
        return selector.matches(pod.metadata.labels)
    }
}
