import AgentCore
import Basics
import ClusterState
import Consensus
import Membership
import Simulation

/// A whole Ordinal cluster of real agents on a virtual network and clock (design §9.2,
/// conventions §8.4). Every node is the agent's own ``AgentCore/AgentNode``, built by the
/// same ``AgentCore/AgentNode/compose(id:address:metadata:storage:membership:raft:core:seed:)``
/// the agent uses — SWIM gossip, Raft, leases, proposal forwarding, snapshots and the
/// controller gate all run as they do in a process — on a disk of
/// ``Consensus/MemoryRaftStorage`` plus its materialised ``ClusterState``. Only IO is
/// swapped: messages cross a lossy, duplicating, reordering network with one-way cuts; the
/// node decides when the leader's controller pass and each agent's pod pass run (as it
/// does in the agent) and the simulated shell computes them with the same pure functions
/// (``AgentCore/ControllerPass``, ``AgentCore/PodDuty``, ``AgentCore/PodReport``), with
/// pods as simulated processes. An operator creates, scales and rolls out a
/// StatefulSet through any agent while faults crash nodes (the leader above all, also right
/// after it proposed a pass, or in the middle of a persist), partition the network and move
/// leadership.
///
/// After every step the controller's safety properties (``ControllerSimInvariants``) and
/// Raft's (`RaftSimInvariants`) are checked; after the faults stop and the cluster settles,
/// the set must match its spec on every replica. One seed drives every choice, so a failing
/// seed replays exactly.
struct ControllerSimulation {
    enum Event {
        /// The deadline node `i` asked for (its latest `.scheduleTick`, in true time).
        case tick(Int, incarnation: Int, at: UInt64)
        case deliver(PeerMessage, from: Int, to: Int)
        /// The node asked its shell for a controller pass; the controller task takes it.
        case controllerPass(Int, incarnation: Int, members: [Membership.Member], lost: Set<NodeID>, term: UInt64)
        /// The node asked its shell for a pod pass; the pod task takes it.
        case pods(Int, incarnation: Int, lease: LeaseHolder, report: Bool)
        /// The supervisors' periodic reports (readiness may have changed), and, under the
        /// ungated mutation, a leader's pass regardless of its gate.
        case loop(Int, incarnation: Int)
        /// A supervisor's process ended; it tells the agent.
        case supervisorExited(Int, incarnation: Int)
        /// Under the ungated mutation: a new leader's first pass.
        case ungatedPass(Int, incarnation: Int)
        case crash(Int, incarnation: Int, reason: String)
        case restart(Int)
        case fault
        case operate
        case heal
    }

    let seed: UInt64
    let config: ControllerSimConfig
    let raftSettings: Raft.Settings
    let membershipSettings: Membership.Settings
    let coreSettings: AgentCoreSettings
    var nodes: [ControllerSimNode] = []
    /// The node ``step(_:_:)`` is carrying out effects for (the shell's node).
    var stepping = 0
    var indexOf: [Endpoint: Int] = [:]
    var nodeSeeds: [UInt64] = []
    var queue = EventQueue<Event>()
    var now: UInt64 = 0
    var chaos = true
    /// `blocked[from][to]`: the directed link drops everything.
    var blocked: [[Bool]] = []
    var netRng: SplitMix64
    var faultRng: SplitMix64
    var diskRng: SplitMix64
    var codec = ControllerSimCodec()
    var raftChecks = RaftSimInvariants()
    var checks: ControllerSimInvariants
    /// Raft traffic (digest and a short tail) and cluster-level notes (the useful tail).
    var messages = RaftSimTrace(capacity: 40)
    var notes = RaftSimTrace(capacity: 200)
    var operatorWrite: (node: Int, write: ControllerSimWrite)?
    /// Indices at which the operator's writes were acknowledged: every one must survive.
    var acknowledged: [UInt64] = []
    /// Pod processes of crashed agents that their supervisors have not killed yet.
    var orphans: [ControllerSimOrphan] = []
    /// The node that last started each identity; a start elsewhere is a move.
    var lastHolder: [ObjectKey: Int] = [:]
    var moves = 0
    var fencedKills = 0
    var convergenceFailures: [String] = []
    var events = 0
    var passes = 0
    var crashes = 0

    /// - Parameter tolerating: checks whose failures are a known gap for this discipline,
    ///   reported as known issues instead of violations.
    init(seed: UInt64, config: ControllerSimConfig, tolerating: Set<String> = []) {
        self.seed = seed
        self.config = config
        checks = ControllerSimInvariants(tolerating: tolerating)
        var raft = Raft.Settings()
        raft.maxEntriesPerAppend = 16
        raft.maxInflightMessages = 8
        raftSettings = raft
        membershipSettings = Self.membershipSettings
        var core = AgentCoreSettings()
        core.raftTick = .nanoseconds(Int64(config.tickPeriod))
        core.bootstrapExpect = config.voters
        core.lease = config.lease
        core.leaseMargin = config.leaseMargin
        core.snapshotEntries = config.compactEvery
        core.proposalWait = .seconds(2)
        core.controllerInterval = .nanoseconds(Int64(config.loopInterval))
        coreSettings = core
        var root = SplitMix64(seed: seed)
        let voterIDs = (1 ... config.voters).map { NodeID("n\($0)") }
        let learnerIDs = (0 ..< config.learners).map { NodeID("l\($0 + 1)") }
        let lateIDs = config.lateJoiners.indices.map { NodeID("j\($0 + 1)") }
        let ids = (voterIDs + learnerIDs + lateIDs).sorted()
        var clockRng = root.split()
        netRng = root.split()
        faultRng = root.split()
        diskRng = root.split()
        let disk = MemoryRaftStorage.bootstrap(voters: voterIDs, learners: learnerIDs)
        for (i, id) in ids.enumerated() {
            let drift = Double.random(in: -config.maxDrift ... config.maxDrift, using: &clockRng)
            let skew = Int64.random(in: -config.maxSkewSeconds ... config.maxSkewSeconds, using: &clockRng)
            let address = Endpoint(host: Self.address(of: id.name), port: 7400)
            let late = lateIDs.contains(id)
            nodes.append(ControllerSimNode(id: id, address: address, clockRate: 1 + drift, skew: skew, disk: late ? MemoryRaftStorage() : disk))
            indexOf[address] = i
            nodeSeeds.append(root.next())
        }
        blocked = Array(repeating: Array(repeating: false, count: ids.count), count: ids.count)
    }

    /// SWIM scaled as the lease is (a tenth of the agent's defaults), so gossip may declare
    /// a silent agent dead before its lease ran out, as it can in a real cluster (detection
    /// about 2 s against a 4 s lease): then only the lease keeps two holders apart.
    static var membershipSettings: Membership.Settings {
        var settings = Membership.Settings()
        settings.probeInterval = .milliseconds(40)
        settings.probeTimeout = .milliseconds(30)
        settings.gossipInterval = .milliseconds(20)
        settings.pushPullInterval = .seconds(2)
        settings.gossipToTheDead = .seconds(5)
        return settings
    }

    /// Runs the scenario: chaos, then settling, then the liveness check.
    mutating func run() -> ControllerSimReport {
        for i in nodes.indices {
            if let position = Int(nodes[i].name.dropFirst()), nodes[i].name.hasPrefix("j") {
                queue.schedule(.restart(i), at: config.lateJoiners[position - 1])
            } else {
                start(i)
            }
        }
        queue.schedule(.operate, at: 50_000_000)
        queue.schedule(.fault, at: config.faultInterval)
        queue.schedule(.heal, at: config.chaosDuration)
        let end = config.chaosDuration + config.settleDuration
        while let (instant, event) = queue.pop(), instant.nanoseconds <= end, isSafe, events < 4_000_000 {
            now = instant.nanoseconds
            checks.time = now
            events += 1
            reapProcesses()
            handle(event)
            checkHolders()
        }
        if isSafe { checkConvergence() }
        let finalState = currentLeader.map { nodes[$0].store.state } ?? ClusterState()
        var digest = messages.digest
        for word in [notes.digest, codec.digest(finalState)] { digest = (digest ^ word) &* 0x0000_0100_0000_01B3 }
        return ControllerSimReport(
            seed: seed, config: config, digest: digest,
            violations: checks.violations.map(\.description) + raftChecks.violations.map { "[raft] \($0)" } + convergenceFailures,
            knownIssues: checks.knownIssues.map(\.description),
            notes: notes.lastLines, messages: messages.lastLines, events: events,
            entries: checks.historyIndex, passes: passes, crashes: crashes, moves: moves, fencedKills: fencedKills
        )
    }

    var isSafe: Bool { checks.violations.isEmpty && raftChecks.violations.isEmpty }

    mutating func note(_ text: String) {
        notes.record(.note(time: now, text))
    }

    // MARK: Events

    mutating func handle(_ event: Event) {
        switch event {
        case .tick(let i, let incarnation, let at):
            guard nodes[i].incarnation == incarnation, nodes[i].tickAt == at, nodes[i].isUp else { return }
            nodes[i].tickAt = nil
            step(i, [.tick(now: localTime(i))])
        case .deliver(let message, let from, let to):
            deliver(message, from: from, to: to)
        case .controllerPass(let i, let incarnation, let members, let lost, let term):
            guard nodes[i].incarnation == incarnation, nodes[i].isUp else { return }
            runControllerPass(i, members: members, lost: lost, term: term)
        case .pods(let i, let incarnation, let lease, let report):
            guard nodes[i].incarnation == incarnation, nodes[i].isUp else { return }
            runPods(i, lease: lease, report: report)
        case .loop(let i, let incarnation):
            guard nodes[i].incarnation == incarnation, nodes[i].isUp else { return }
            queue.schedule(.loop(i, incarnation: incarnation), at: now + config.loopInterval)
            supervisorsReport(i)
            runUngatedPass(i)
        case .supervisorExited(let i, let incarnation):
            guard nodes[i].incarnation == incarnation, nodes[i].isUp else { return }
            step(i, [.podsChanged(now: localTime(i))])
        case .ungatedPass(let i, let incarnation):
            guard nodes[i].incarnation == incarnation, nodes[i].isUp else { return }
            runUngatedPass(i)
        case .crash(let i, let incarnation, let reason):
            guard chaos, nodes[i].incarnation == incarnation else { return }
            crash(i, reason: reason)
        case .restart(let i):
            if !nodes[i].isUp { start(i) }
        case .fault:
            guard chaos else { return }
            injectFault()
            queue.schedule(.fault, at: now + UInt64.random(in: config.faultInterval / 2 ... config.faultInterval * 3 / 2, using: &faultRng))
        case .operate:
            operate()
            queue.schedule(.operate, at: now + 100_000_000)
        case .heal:
            chaos = false
            note("heal: links restored, loss off, every node restarted")
            for from in blocked.indices { for to in blocked.indices { blocked[from][to] = false } }
            for i in nodes.indices where !nodes[i].isUp { start(i) }
        }
    }

    /// Boots node `i` from its disk, as the agent does: the node is composed by the same
    /// function, and the kept state is reused or, one time in three, rebuilt from the Raft
    /// snapshot and replayed from the log after it; either way the state must match the
    /// shared history.
    mutating func start(_ i: Int) {
        nodes[i].incarnation += 1
        let seed = nodeSeeds[i] &+ UInt64(nodes[i].incarnation)
        do {
            nodes[i].agent = try AgentNode.compose(
                id: nodes[i].id, address: nodes[i].address, metadata: [MetadataKey.volumes: "/data/\(nodes[i].name)/volumes"],
                storage: nodes[i].disk, membership: membershipSettings, raft: raftSettings, core: coreSettings, seed: seed
            )
        } catch {
            convergenceFailures.append("\(nodes[i].id) failed to start: \(error)")
            return
        }
        if nodes[i].incarnation > 1 && Int.random(in: 0 ..< 3, using: &diskRng) == 0 {
            let snapshot = nodes[i].disk.snapshot()
            nodes[i].store = snapshot.index == 0 ? ControllerSimStore() : codec.restore(snapshot.data) ?? ControllerSimStore()
            note("\(nodes[i].name) rebuilds its state from snapshot \(snapshot.index)")
        }
        checks.observe(nodes[i].store, on: nodes[i].name)
        nodes[i].lastCommit = nodes[i].raft?.commitIndex ?? 0
        nodes[i].leaderTermSeen = 0
        nodes[i].observedRole = ""
        nodes[i].nextProposal = 1
        note("\(nodes[i].name) start incarnation=\(nodes[i].incarnation) applied=\(nodes[i].store.index) commit=\(nodes[i].lastCommit)")
        let seeds = nodes.indices.filter { $0 != i }.map { nodes[$0].address }
        step(i, [.start(seeds: seeds, now: localTime(i))])
        let phase = UInt64.random(in: 0 ..< config.loopInterval, using: &diskRng)
        queue.schedule(.loop(i, incarnation: nodes[i].incarnation), at: now + phase + 1)
    }

    mutating func crash(_ i: Int, reason: String) {
        guard nodes[i].isUp else { return }
        orphanProcesses(of: i)
        nodes[i].crash()
        crashes += 1
        note("\(nodes[i].name) crash (\(reason))")
        // Most restarts are quick; one in four outlasts the lease, so pods really move.
        let downtime = Int.random(in: 0 ..< 4, using: &faultRng) == 0
            ? UInt64.random(in: 600_000_000 ... 2_500_000_000, using: &faultRng)
            : UInt64.random(in: 50_000_000 ... 600_000_000, using: &faultRng)
        queue.schedule(.restart(i), at: now + downtime)
    }

    /// Checks Raft's invariants for node `i` and notes role changes (under the ungated
    /// mutation a new leader runs a pass at once).
    mutating func afterStep(_ i: Int) {
        guard let raft = nodes[i].raft else { return }
        raftChecks.observeCommit(raft, previous: nodes[i].lastCommit)
        nodes[i].lastCommit = raft.commitIndex
        if raft.role == .leader {
            raftChecks.observeLeader(raft.id, term: raft.term)
            if nodes[i].leaderTermSeen != raft.term {
                nodes[i].leaderTermSeen = raft.term
                raftChecks.checkLeaderCompleteness(raft)
            }
        }
        let role = "\(raft.role.rawValue) term=\(raft.term)"
        if role != nodes[i].observedRole {
            nodes[i].observedRole = role
            note("\(raft.id) \(role) last=\(raft.lastIndex) commit=\(raft.commitIndex) applied=\(nodes[i].store.index)")
            if raft.role == .leader && config.leaderGate == .anyLeader {
                queue.schedule(.ungatedPass(i, incarnation: nodes[i].incarnation), at: now + shellLatency())
            }
        }
    }

    /// The up node that believes it leads the highest term, if any.
    var currentLeader: Int? {
        var best: Int?
        for i in nodes.indices {
            guard let raft = nodes[i].raft, raft.role == .leader else { continue }
            if best.map({ raft.term > nodes[$0].raft?.term ?? 0 }) ?? true { best = i }
        }
        return best
    }
}
