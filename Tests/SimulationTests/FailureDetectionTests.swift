import Basics
import Foundation
import Membership
import Simulation
import Testing

/// SWIM + Lifeguard end to end on a simulated network (conventions §8.4). Every run checks
/// the cluster's invariants after each step; every failure prints its replay line.
@Suite(.timeLimit(.minutes(2))) struct FailureDetectionTests {
    /// (a) With no loss and small latency, no live member is ever declared dead by anyone.
    @Test(arguments: SimSeeds.seeds(count: 6))
    func noLoss_noLiveMemberIsEverDeclaredDead(seed: UInt64) {
        let test = "noLoss_noLiveMemberIsEverDeclaredDead"
        guard var cluster = convergedCluster(size: 50, seed: seed, test: test) else { return }
        cluster.run(for: .seconds(30))
        check(cluster.stats.falseDeaths.isEmpty, "false positives: \(cluster.stats.falseDeaths.prefix(5))", cluster: cluster, test: test)
        check(cluster.violations.isEmpty, "invariant violations", cluster: cluster, test: test)
        check(cluster.stats.firstSuspectedAt.isEmpty, "suspected at 0% loss: \(cluster.stats.firstSuspectedAt.keys.sorted())", cluster: cluster, test: test)
    }

    /// (b) Five of fifty crash; every live member declares every crashed one dead within the
    /// bound: first detection (≤ 2 periods) + suspicion max for n = 50 (6 × 2.04 s) +
    /// dissemination, rounded up to 20 s; with confirmations it is typically ~4 s.
    @Test(arguments: [0.0, 0.05], SimSeeds.seeds(count: 4))
    func crashedMembers_areDeclaredDeadByEveryLiveMember_withinBound(loss: Double, seed: UInt64) {
        let test = "crashedMembers_areDeclaredDeadByEveryLiveMember_withinBound"
        let size = 50
        let bound = Duration.seconds(20)
        guard var cluster = convergedCluster(size: size, seed: seed, lossProbability: loss, test: test) else { return }
        let crashed = victims(5, of: size, seed: seed)
        let crashTime = cluster.now
        for id in crashed { cluster.crash(id) }
        let allDetected = cluster.run(untilTrue: { cluster in
            crashed.allSatisfy { (cluster.stats.deadSeenBy[$0]?.count ?? 0) >= size - crashed.count }
        }, limit: bound, checkEvery: .milliseconds(100))
        var slowest = Duration.zero
        for id in crashed {
            for (_, time) in cluster.stats.deadSeenBy[id] ?? [:] { slowest = max(slowest, time - crashTime) }
        }
        print("crash detection seed=\(seed) loss=\(loss): all live members saw all 5 dead after \(slowest) (\(String(format: "%.1f", slowest.periods)) periods); msgs=\(cluster.stats.messages) dropped=\(cluster.stats.dropped)")
        check(allDetected, "not every crash detected by every live member within \(bound)", cluster: cluster, test: test)
        check(cluster.violations.isEmpty, "invariant violations", cluster: cluster, test: test)
        if loss == 0 {
            check(cluster.stats.falseDeaths.isEmpty, "false positives: \(cluster.stats.falseDeaths.prefix(5))", cluster: cluster, test: test)
        }
    }

    /// (e) Mean time from a crash to its first detection (first suspicion anywhere), over
    /// many crashes. SWIM predicts e/(e−1) ≈ 1.58 protocol periods for random target choice;
    /// round-robin does a little better, and the period containing the crash counts partly.
    @Test func meanTimeToFirstDetection_isNearSWIMsPrediction() {
        let test = "meanTimeToFirstDetection_isNearSWIMsPrediction"
        let size = 50
        var samples: [Double] = []
        for seed in SimSeeds.seeds(count: 8) {
            guard var cluster = convergedCluster(size: size, seed: seed, test: test) else { return }
            // One crash every 4 s, so each is detected before the next and n stays ~50.
            for id in victims(6, of: size, seed: seed) {
                let offset = Duration.milliseconds(Int64(seed % 397))  // vary the phase
                cluster.run(for: offset)
                let crashTime = cluster.now
                cluster.crash(id)
                cluster.run(for: .seconds(4) - offset)
                guard let first = cluster.stats.firstSuspectedAt[id] else {
                    check(false, "\(id) not suspected within 4 s", cluster: cluster, test: test)
                    return
                }
                samples.append((first - crashTime).periods)
            }
            check(cluster.violations.isEmpty, "invariant violations", cluster: cluster, test: test)
        }
        let mean = samples.reduce(0, +) / Double(samples.count)
        let timeoutPeriods = Membership.Settings().probeTimeout.seconds / Membership.Settings().probeInterval.seconds
        print("mean time to first detection over \(samples.count) crashes: \(String(format: "%.2f", mean)) protocol periods (SWIM: e/(e-1) = 1.58); min \(String(format: "%.2f", samples.min()!)) max \(String(format: "%.2f", samples.max()!))")
        #expect(mean >= 0.8 && mean <= 3.0 + timeoutPeriods, "mean \(mean) periods")
    }
}
