import Foundation
import Testing

/// The outcome of one controller simulation run, and the text a failure prints: the replay
/// command, the seed's configuration, the violations, and the trace tails.
struct ControllerSimReport {
    var seed: UInt64
    var config: ControllerSimConfig
    var digest: UInt64
    var violations: [String]
    /// Failures of checks tolerated as a known gap of the discipline under test.
    var knownIssues: [String]
    var notes: [String]
    var messages: [String]
    var events: Int
    var entries: UInt64
    var passes: Int
    var crashes: Int
    /// Identities started on another node than before (failovers), and processes their
    /// supervisor killed at the lease deadline.
    var moves: Int
    var fencedKills: Int

    var passed: Bool { violations.isEmpty }

    var failureText: String {
        (["ORDINAL_SIM_SEED=\(seed) swift test --filter ControllerSimulationTests", "config: \(config)",
          "events=\(events) entries=\(entries) controller passes=\(passes) crashes=\(crashes) moves=\(moves) fenced=\(fencedKills)"]
            + violations.map { "violation: \($0)" }
            + ["--- last \(notes.count) cluster events ---"] + notes
            + ["--- last \(messages.count) raft messages ---"] + messages).joined(separator: "\n")
    }
}

/// Leader crashes, agent outages longer than the lease and isolated agents in the middle of
/// a scale (3 → 7 → 2) or a rolling update never give two live processes one identity at
/// any virtual instant (with clock drift of ±20 %), never skip an ordinal, never lose a
/// claim's volume, and the set reaches its spec once the faults stop (issues 4 and 5). `ORDINAL_SIM_SEEDS=N` runs N seeds
/// instead of the CI list; `ORDINAL_SIM_SEED=S` runs only seed S.
@Suite struct ControllerSimulationTests {
    static let chaos: UInt64 = 5_000_000_000
    static let settle: UInt64 = 8_000_000_000

    static var seeds: [UInt64] {
        let environment = ProcessInfo.processInfo.environment
        if let one = environment["ORDINAL_SIM_SEED"].flatMap(UInt64.init) { return [one] }
        // 100 in CI: in a debug build they are most of the unit suites' time (481 s alone for
        // 200); the 10,000-seed runs are off CI (docs/reliability.md).
        let count = environment["ORDINAL_SIM_SEEDS"].flatMap(UInt64.init) ?? 100
        return seeds(max(count, 1))
    }

    /// Before the fix, the agent's controller ran on any leader's applied state, which right
    /// after an election can lag entries already in its log, so a previous leader's pass
    /// could commit between the state a pass read and the pass itself. Under that rule this
    /// check is expected to fail; everything else must still hold.
    static let knownGapsOfUngatedLeaders: Set<String> = ["controllerPassesSerial"]

    static func run(_ seed: UInt64, gate: ControllerSimConfig.LeaderGate) -> ControllerSimReport {
        let config = ControllerSimConfig.random(seed: seed, gate: gate, chaos: chaos, settle: settle)
        var simulation = ControllerSimulation(seed: seed, config: config, tolerating: gate == .anyLeader ? knownGapsOfUngatedLeaders : [])
        return simulation.run()
    }

    /// The agent's rule (`AgentCore.ControllerGate`, which the agent's controller loop
    /// reads through `AgentNode.mayRunController`): a leader runs passes only once it
    /// has applied an entry of its own term. Every invariant holds, passes are serial too.
    @Test(arguments: seeds)
    func agentDiscipline_keepsIdentitiesOrdinalsAndVolumes(seed: UInt64) {
        let report = Self.run(seed, gate: .ownTermApplied)
        if !report.passed { Issue.record(Comment(rawValue: report.failureText)) }
    }

    /// Seed 10708086180188519124, the bug the long run of the earlier harness found before
    /// the agent gated its controller: a new leader with a registration pass in its log but
    /// not applied registered a node from its stale state and handed it a taken pod CIDR
    /// block. The agent's gate avoids the stale pass, and `apply` refuses a pod CIDR another
    /// Node holds even for an ungated leader, so neither rule ends with two nodes on one
    /// block (kept as a regression seed; the agents now run in full, so its events differ).
    @Test func staleLeaderCannotRegisterANodeOnATakenPodCIDR() {
        let seed: UInt64 = 10_708_086_180_188_519_124
        let gated = Self.run(seed, gate: .ownTermApplied)
        if !gated.passed { Issue.record(Comment(rawValue: gated.failureText)) }
        let ungated = Self.run(seed, gate: .anyLeader)
        #expect(!ungated.violations.contains { $0.contains("podCIDRsUnique") || $0.contains("podAddressesUnique") }, "\(ungated.violations)")
    }

    /// Pods really move: crashes that outlast the lease and isolated agents make the leader
    /// recreate pods elsewhere, and every move is checked against the live processes of
    /// the old holder, which only its supervisor's lease deadline ends. Seeds from the CI
    /// list are run until one both moved pods and had a supervisor enforce its lease (a
    /// handful suffice; at most 24), each clean.
    @Test func failoversHappenAndNeverOverlap() {
        var found: ControllerSimReport?
        for seed in Self.seeds(24) {
            let report = Self.run(seed, gate: .ownTermApplied)
            if !report.passed { Issue.record(Comment(rawValue: report.failureText)) }
            if report.moves > 0 && report.fencedKills > 0 {
                found = report
                break
            }
        }
        #expect(found != nil, "no seed of 24 moved a pod and fenced a process")
    }

    /// The check can fail: a leader that waits less than the lease (margin −300 ms against
    /// the simulation's 400 ms lease) moves a pod while the isolated old holder still runs
    /// it, and the simulation says so for one of the first 40 seeds (the eighth, since holders
    /// apply every proposed pass before they start a pod; −150 ms is no longer caught there).
    /// (Gossip is scaled with the lease, so it can declare an agent dead first.)
    @Test func aLeaderThatWaitsLessThanTheLeaseIsCaught() {
        let caught = Self.seeds(40).contains { seed in
            var config = ControllerSimConfig.random(seed: seed, gate: .ownTermApplied, chaos: Self.chaos, settle: Self.settle)
            config.leaseMargin = .milliseconds(-300)
            var simulation = ControllerSimulation(seed: seed, config: config)
            return simulation.run().violations.contains { $0.contains("oneLiveProcessPerIdentity") }
        }
        #expect(caught)
    }

    /// The first `count` seeds of the CI list.
    static func seeds(_ count: UInt64) -> [UInt64] {
        (1 ... count).map { $0 &* 0x9E37_79B9_7F4A_7C15 }
    }

    /// The mutation the issue asks to be caught: the same agents with the controller gate
    /// removed (a pass on any leader's applied state, which right after an election may lag
    /// entries already in its log) break the serial-passes property.
    @Test func removingTheControllerGateIsCaught() {
        let seed: UInt64 = 6 &* 0x9E37_79B9_7F4A_7C15
        let config = ControllerSimConfig.random(seed: seed, gate: .anyLeader, chaos: Self.chaos, settle: Self.settle)
        var simulation = ControllerSimulation(seed: seed, config: config)
        let report = simulation.run()
        #expect(report.violations.contains { $0.contains("controllerPassesSerial") }, "\(report.violations)")
        let gated = Self.run(seed, gate: .ownTermApplied)
        if !gated.passed { Issue.record(Comment(rawValue: gated.failureText)) }
    }

    /// Found by a 1000-seed run of the earlier harness: n4 crashed and was restarted 3 ms
    /// later, got its lease and started web-3 while its previous life's orphan of web-3
    /// still ran. A restarted agent now adopts what its keepers hold before it starts
    /// anything (kept as a regression seed).
    @Test func aQuicklyRestartedAgentAdoptsItsKeptPods() {
        let report = Self.run(5_581_601_109_027_784_742, gate: .ownTermApplied)
        if !report.passed { Issue.record(Comment(rawValue: report.failureText)) }
    }

    /// Swift seeds `Hasher` per process, so a digest fixed here (computed in another
    /// process) catches any iteration over an unsorted `Set` or `Dictionary` in the
    /// controller, the data model or this harness. If behaviour changes on purpose, update
    /// the constant from the printed value.
    @Test func traceDigestIsStableAcrossProcesses() {
        let report = Self.run(7, gate: .ownTermApplied)
        #expect(report.digest == Self.goldenDigestOfSeed7, "seed 7 digest is \(report.digest)")
    }

    static let goldenDigestOfSeed7: UInt64 = 16_847_776_158_140_813_166

    @Test func sameSeedGivesIdenticalFinalDigest() {
        let seed: UInt64 = 0x9E37_79B9_7F4A_7C15 &* 3
        let first = Self.run(seed, gate: .ownTermApplied)
        let second = Self.run(seed, gate: .ownTermApplied)
        #expect(first.digest == second.digest)
        #expect(first.events == second.events)
        #expect(first.entries == second.entries)
    }
}
