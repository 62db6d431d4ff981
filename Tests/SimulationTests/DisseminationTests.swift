import Basics
import Foundation
import Membership
import Simulation
import Testing

@Suite(.timeLimit(.minutes(2))) struct DisseminationTests {
    /// (c) A single update (a graceful leave) reaches the members in O(log n) protocol
    /// periods. SWIM's guarantee is "with high probability": with λ = 4 a member is missed
    /// by every one of the ceil(λ·log10(n+1)) piggybacks a few percent of the time, and
    /// push-pull anti-entropy repairs it. So: all but at most one member within log2(n)
    /// periods (generous for fan-out-3 gossip every half period), and every member within
    /// that plus one push-pull interval.
    @Test(arguments: [50, 100, 200], SimSeeds.seeds(count: 3))
    func leave_reachesEveryMember_inLogarithmicPeriods(size: Int, seed: UInt64) {
        let test = "leave_reachesEveryMember_inLogarithmicPeriods"
        guard var cluster = convergedCluster(size: size, seed: seed, test: test) else { return }
        let leaver = NodeID("a\(size / 2)")
        let start = cluster.now
        let bound = Foundation.log2(Double(size))
        let repairBound = Membership.Settings().pushPullInterval + Membership.Settings().probeInterval * bound
        cluster.leave(leaver, at: start)
        let everyone = cluster.run(untilTrue: { cluster in
            (cluster.stats.leftSeenBy[leaver]?.count ?? 0) >= size
        }, limit: repairBound, checkEvery: .milliseconds(20))
        let times = (cluster.stats.leftSeenBy[leaver] ?? [:]).values.map { ($0 - start).periods }.sorted()
        let stragglers = times.filter { $0 > bound }.count
        let allButOne = times.count >= size - 1 ? times[size - 2] : .infinity
        print("dissemination n=\(size) seed=\(seed): all but one member after \(String(format: "%.2f", allButOne)) periods, all after \(String(format: "%.2f", times.last ?? .infinity)) (bound \(String(format: "%.1f", bound)), stragglers \(stragglers))")
        check(everyone, "leave did not reach everyone within \(repairBound)", cluster: cluster, test: test)
        check(stragglers <= 1, "\(stragglers) members took over log2(n) = \(bound) periods", cluster: cluster, test: test)
        check(cluster.violations.isEmpty, "invariant violations", cluster: cluster, test: test)
    }

    /// A suspicion refuted by a partitioned-then-healed member: the member is never seen
    /// revived at the incarnation it was declared dead at, and it comes back alive everywhere
    /// at a higher incarnation.
    @Test(arguments: SimSeeds.seeds(count: 3))
    func isolatedMember_declaredDead_refutesAfterHeal_atHigherIncarnation(seed: UInt64) {
        let test = "isolatedMember_declaredDead_refutesAfterHeal_atHigherIncarnation"
        let size = 30
        guard var cluster = convergedCluster(size: size, seed: seed, test: test) else { return }
        let isolated = NodeID("a7")
        let others = cluster.nodes.map(\.id).filter { $0 != isolated }
        cluster.network.partition([others, [isolated]])
        let declared = cluster.run(untilTrue: { cluster in
            (cluster.stats.deadSeenBy[isolated]?.count ?? 0) >= size - 1
        }, limit: .seconds(20))
        check(declared, "isolated member not declared dead", cluster: cluster, test: test)
        cluster.network.heal()
        let back = cluster.run(untilTrue: { $0.isConverged }, limit: .seconds(30))
        check(back, "isolated member not alive again everywhere after heal", cluster: cluster, test: test)
        let incarnation = cluster.node(isolated)!.instance.incarnation
        check(incarnation >= 1, "no refutation: incarnation \(incarnation)", cluster: cluster, test: test)
        check(cluster.violations.isEmpty, "invariant violations", cluster: cluster, test: test)
    }
}

@Suite(.timeLimit(.minutes(2))) struct RestartTests {
    /// A member declared dead restarts at incarnation 0; it learns of its death from the
    /// seed, refutes above it, and every member sees it alive again, never at the dead
    /// incarnation.
    @Test(arguments: SimSeeds.seeds(count: 3))
    func restartedMember_declaredDead_rejoinsAboveItsDeadIncarnation(seed: UInt64) {
        let test = "restartedMember_declaredDead_rejoinsAboveItsDeadIncarnation"
        let size = 30
        guard var cluster = convergedCluster(size: size, seed: seed, test: test) else { return }
        let victim = NodeID("a11")
        cluster.crash(victim)
        let dead = cluster.run(untilTrue: { ($0.stats.deadSeenBy[victim]?.count ?? 0) >= size - 1 }, limit: .seconds(20))
        check(dead, "crash not detected", cluster: cluster, test: test)
        cluster.restart(victim, seeds: [NodeID("a1")], at: cluster.now + .seconds(1))
        cluster.run(for: .seconds(1))
        let back = cluster.run(untilTrue: { $0.isConverged }, limit: .seconds(20))
        check(back, "restarted member not alive everywhere", cluster: cluster, test: test)
        let incarnation = cluster.node(victim)!.instance.incarnation
        check(incarnation >= 1, "restarted member did not refute (incarnation \(incarnation))", cluster: cluster, test: test)
        check(cluster.violations.isEmpty, "invariant violations", cluster: cluster, test: test)
    }
}
