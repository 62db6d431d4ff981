import Basics

/// When a container is started again, by Kubernetes' restart policy and crash-loop back-off.
///
/// Kubernetes waits 10 s, doubling to a 300 s cap, and forgets the back-off once a container
/// has run 10 minutes. We keep the cap and the reset but start at 1 s: a local process restarts
/// in milliseconds, and a StatefulSet pod that crashed once should be back before its peers
/// notice. The same schedule paces retries of a container that cannot be started at all.
package struct RestartBackoff: Sendable, Hashable {
    package static let initialDelay: Duration = .seconds(1)
    package static let maximumDelay: Duration = .seconds(300)
    /// A run at least this long resets the back-off.
    package static let resetAfter: Duration = .seconds(600)

    /// Back-offs taken since the last reset.
    package private(set) var attempt = 0

    package init() {}

    /// Whether `policy` restarts a container that exited with `exitCode`: `Always` (also the
    /// default for anything unknown) any exit, `OnFailure` a non-zero one, `Never` none.
    package static func restarts(policy: String, exitCode: Int) -> Bool {
        switch policy {
        case "Never": false
        case "OnFailure": exitCode != 0
        default: true
        }
    }

    /// The delay before the next start, advancing the schedule.
    /// - Parameters:
    ///   - ranFor: How long the container ran before it stopped; nil if it never started.
    package mutating func nextDelay(ranFor: Duration?) -> Duration {
        if let ranFor, ranFor >= Self.resetAfter { attempt = 0 }
        var generator = SplitMix64(seed: 0)
        let delay = Backoff(initial: Self.initialDelay, maximum: Self.maximumDelay, jitter: 0)
            .delay(attempt: attempt, using: &generator)
        attempt += 1
        return delay
    }
}
