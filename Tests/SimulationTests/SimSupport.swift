import Basics
import Foundation
import Membership
import Simulation
import Testing

/// Seeds for the simulation tests: a fixed list by default; `ORDINAL_SIM_SEED=<seed>` replays
/// one; `ORDINAL_SIM_SEEDS=N` runs N derived seeds (off CI, for soak runs).
enum SimSeeds {
    static let fixed: [UInt64] = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89]

    static func seeds(count defaultCount: Int = fixed.count) -> [UInt64] {
        let environment = ProcessInfo.processInfo.environment
        if let text = environment["ORDINAL_SIM_SEED"], let seed = UInt64(text) {
            return [seed]
        }
        if let text = environment["ORDINAL_SIM_SEEDS"], let count = Int(text), count > 0 {
            var generator = SplitMix64(seed: 0x5EED)
            return (0..<count).map { _ in generator.next() }
        }
        return Array(fixed.prefix(defaultCount))
    }
}

extension Duration {
    /// In protocol periods of the default settings.
    var periods: Double { seconds / Membership.Settings().probeInterval.seconds }
}

/// Builds a cluster of `size`, joins everyone through a1 and runs until every member sees
/// every other alive; records an issue (with the replay line) if that takes over `limit`.
func convergedCluster(
    size: Int,
    seed: UInt64,
    lossProbability: Double = 0,
    test: String,
    limit: Duration = .seconds(30)
) -> MembershipCluster? {
    var cluster = MembershipCluster(size: size, seed: seed, lossProbability: lossProbability)
    cluster.joinAll(over: .seconds(1))
    cluster.run(for: .seconds(1))
    let converged = cluster.run(untilTrue: { $0.isConverged }, limit: limit, checkEvery: .milliseconds(250))
    if !converged {
        Issue.record("cluster of \(size) did not converge within \(limit)\n\(cluster.failureReport(test: test))")
        return nil
    }
    return cluster
}

/// Records an issue carrying the replay line and the last trace lines when `condition` fails.
func check(
    _ condition: Bool,
    _ message: @autoclosure () -> String,
    cluster: MembershipCluster,
    test: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard !condition else { return }
    let report = "\(message())\n\(cluster.failureReport(test: test))"
    print(report)
    Issue.record(Comment(rawValue: report), sourceLocation: sourceLocation)
}

/// Picks `count` distinct members other than a1 with a generator of its own.
func victims(_ count: Int, of size: Int, seed: UInt64) -> [NodeID] {
    var generator = SplitMix64(seed: seed ^ 0xC0FFEE)
    return Array((2...size).shuffled(using: &generator).prefix(count)).map { NodeID("a\($0)") }
}
