import Basics

/// The shape of one simulated run, drawn from its seed.
package struct RaftSimConfig: Sendable, Hashable, CustomStringConvertible {
    package var voters: Int
    package var learners: Int
    /// Nominal tick period; each node's own period drifts by up to ±`maxDrift`.
    package var tickPeriod: UInt64 = 10_000_000
    package var maxDrift: Double = 0.2
    package var lossRate: Double
    package var duplicateRate: Double
    package var minDelay: UInt64 = 500_000
    package var maxDelay: UInt64
    /// Virtual time with faults, then without, after which everything must have converged.
    package var chaosDuration: UInt64
    package var settleDuration: UInt64
    /// Mean time between fault actions during chaos.
    package var faultInterval: UInt64 = 250_000_000
    package var proposalInterval: UInt64 = 20_000_000
    /// Probability that a node crashes between sending `messagesNow` and persisting.
    package var crashDuringPersistRate: Double = 0.002
    /// Applied entries between snapshots.
    package var compactEvery: UInt64 = 25

    package static func random(seed: UInt64, chaos: UInt64, settle: UInt64) -> RaftSimConfig {
        var rng = SplitMix64(seed: seed ^ 0x5EED_C0DE)
        return RaftSimConfig(
            voters: Bool.random(using: &rng) ? 3 : 5,
            learners: Int.random(in: 0 ... 2, using: &rng),
            lossRate: Double.random(in: 0 ... 0.1, using: &rng),
            duplicateRate: Double.random(in: 0 ... 0.05, using: &rng),
            maxDelay: UInt64.random(in: 2_000_000 ... 30_000_000, using: &rng),
            chaosDuration: chaos,
            settleDuration: settle
        )
    }

    package var description: String {
        "voters=\(voters) learners=\(learners) loss=\(Int(lossRate * 100))% dup=\(Int(duplicateRate * 100))% delay<=\(maxDelay / 1_000_000)ms"
    }
}
