package import ClusterState

/// The result of a probe as Kubernetes counts it: it flips to passing after `successThreshold`
/// consecutive successes and to failing after `failureThreshold` consecutive failures.
package struct ProbeTracker: Sendable, Hashable {
    package let successThreshold: Int
    package let failureThreshold: Int
    package private(set) var passing: Bool
    private var successes = 0
    private var failures = 0

    /// - Parameters:
    ///   - initiallyPassing: Kubernetes starts readiness as failing and liveness as passing.
    package init(successThreshold: Int, failureThreshold: Int, initiallyPassing: Bool) {
        self.successThreshold = max(1, successThreshold)
        self.failureThreshold = max(1, failureThreshold)
        passing = initiallyPassing
    }

    package init(probe: Probe, initiallyPassing: Bool) {
        let timing = ProbeTiming(probe)
        self.init(successThreshold: timing.successThreshold, failureThreshold: timing.failureThreshold,
                  initiallyPassing: initiallyPassing)
    }

    /// - Returns: Whether ``passing`` changed.
    @discardableResult
    package mutating func record(success: Bool) -> Bool {
        let before = passing
        if success {
            successes += 1
            failures = 0
            if successes >= successThreshold { passing = true }
        } else {
            failures += 1
            successes = 0
            if failures >= failureThreshold { passing = false }
        }
        return passing != before
    }
}

/// A probe's timing with Kubernetes' defaults filled in: no initial delay, every 10 s, a 1 s
/// timeout, one success and three failures to flip.
package struct ProbeTiming: Sendable, Hashable {
    package var initialDelay: Duration
    package var period: Duration
    package var timeout: Duration
    package var successThreshold: Int
    package var failureThreshold: Int

    package init(_ probe: Probe) {
        initialDelay = .seconds(max(0, probe.initialDelaySeconds ?? 0))
        period = .seconds(max(1, probe.periodSeconds ?? 10))
        timeout = .seconds(max(1, probe.timeoutSeconds ?? 1))
        successThreshold = max(1, probe.successThreshold ?? 1)
        failureThreshold = max(1, probe.failureThreshold ?? 3)
    }
}
