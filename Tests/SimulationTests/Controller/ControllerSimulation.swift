import AgentCore
import Basics
import ClusterState
import Consensus
import Simulation

/// The Raft simulation grown into a whole Ordinal cluster (design §9.2, conventions §8.4):
/// every node is a Raft member with a disk (``Consensus/MemoryRaftStorage`` plus its
/// materialised ``ClusterState`` and applied index), applies committed entries to its own
/// state, and runs the agent's loops — the leader's controller pass (``NodeRegistrar`` plus
/// `Reconciler.reconcile`, proposed as one entry, the next only once the last was applied
/// or failed), and a kubelet that runs, reports and stops the pods placed on it. An operator
/// creates, scales and rolls out a StatefulSet while faults crash nodes (the leader above
/// all, also right after it proposed a pass), partition the network and move leadership.
///
/// After every step the controller's safety properties (``ControllerSimInvariants``) and
/// Raft's (`RaftSimInvariants`) are checked; after the faults stop and the cluster settles,
/// the set must match its spec on every replica. One seed drives every choice, so a failing
/// seed replays exactly.
struct ControllerSimulation {
    enum Event {
        case tick(Int, incarnation: Int)
        case ready(Int, incarnation: Int)
        case deliver(Raft.Message, to: Int)
        /// A lease request or grant arrives.
        case lease(LeaseMessage, to: Int)
        /// The agent's bell: applied changes or a leadership change woke its loops.
        case bell(Int, incarnation: Int)
        /// The agent's periodic timer for the same loops.
        case loop(Int, incarnation: Int)
        case crash(Int, incarnation: Int, reason: String)
        case restart(Int)
        case fault
        case gossip
        case operate
        case heal
    }

    let seed: UInt64
    let config: ControllerSimConfig
    let settings: Raft.Settings
    var nodes: [ControllerSimNode] = []
    var indexOf: [NodeID: Int] = [:]
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
    var bellRung: [Bool] = []
    /// The nodes gossip reports alive: those that were up at the last refresh.
    var aliveView: Set<String> = []
    var operatorWrite: (node: Int, write: ControllerSimWrite)?
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
        var settings = Raft.Settings()
        settings.maxEntriesPerAppend = 16
        settings.maxInflightMessages = 8
        self.settings = settings
        var root = SplitMix64(seed: seed)
        let voterIDs = (1 ... config.voters).map { NodeID("n\($0)") }
        let learnerIDs = (0 ..< config.learners).map { NodeID("l\($0 + 1)") }
        let ids = (voterIDs + learnerIDs).sorted()
        var clockRng = root.split()
        netRng = root.split()
        faultRng = root.split()
        diskRng = root.split()
        let disk = MemoryRaftStorage.bootstrap(voters: voterIDs, learners: learnerIDs)
        for (i, id) in ids.enumerated() {
            let drift = Double.random(in: -config.maxDrift ... config.maxDrift, using: &clockRng)
            let skew = Int64.random(in: -config.maxSkewSeconds ... config.maxSkewSeconds, using: &clockRng)
            let period = UInt64((Double(config.tickPeriod) * (1 + drift)).rounded())
            nodes.append(ControllerSimNode(
                id: id, tickPeriod: period, clockRate: 1 / (1 + drift), skew: skew, raft: nil, disk: disk,
                lease: LeaseHolder(duration: config.lease), book: LeaseBook(lease: config.lease, margin: config.leaseMargin)
            ))
            indexOf[id] = i
            nodeSeeds.append(root.next())
        }
        blocked = Array(repeating: Array(repeating: false, count: ids.count), count: ids.count)
        bellRung = Array(repeating: false, count: ids.count)
    }

    /// Runs the scenario: chaos, then settling, then the liveness check.
    mutating func run() -> ControllerSimReport {
        for i in nodes.indices { start(i) }
        queue.schedule(.gossip, at: 0)
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
        case .tick(let i, let incarnation):
            guard nodes[i].incarnation == incarnation, nodes[i].isUp else { return }
            nodes[i].raft?.tick()
            queue.schedule(.tick(i, incarnation: incarnation), at: now + nodes[i].tickPeriod)
            renewLease(i)
            afterStep(i)
        case .ready(let i, let incarnation):
            guard nodes[i].incarnation == incarnation, nodes[i].isUp else { return }
            nodes[i].readyScheduled = false
            processReady(i)
            afterStep(i)
        case .deliver(let message, let j):
            deliver(message, to: j)
        case .lease(let message, let j):
            receiveLease(message, on: j)
        case .bell(let i, let incarnation):
            guard nodes[i].incarnation == incarnation, nodes[i].isUp else { return }
            bellRung[i] = false
            runAgent(i)
        case .loop(let i, let incarnation):
            guard nodes[i].incarnation == incarnation, nodes[i].isUp else { return }
            queue.schedule(.loop(i, incarnation: incarnation), at: now + config.loopInterval)
            runAgent(i)
        case .crash(let i, let incarnation, let reason):
            guard chaos, nodes[i].incarnation == incarnation else { return }
            crash(i, reason: reason)
        case .restart(let i):
            if !nodes[i].isUp { start(i) }
        case .fault:
            guard chaos else { return }
            injectFault()
            queue.schedule(.fault, at: now + UInt64.random(in: config.faultInterval / 2 ... config.faultInterval * 3 / 2, using: &faultRng))
        case .gossip:
            refreshLiveness()
            queue.schedule(.gossip, at: now + config.gossipInterval)
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

    /// Boots node `i` from its disk. A restart keeps the materialised state (as the agent's
    /// SQLite does) or, one time in three, rebuilds it from the Raft snapshot and replays the
    /// committed log after it; either way the state must match the shared history.
    mutating func start(_ i: Int) {
        nodes[i].incarnation += 1
        let seed = nodeSeeds[i] &+ UInt64(nodes[i].incarnation)
        do {
            nodes[i].raft = try RaftNode(id: nodes[i].id, storage: nodes[i].disk, settings: settings, seed: seed)
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
        nodes[i].readyScheduled = false
        nodes[i].observedRole = ""
        bellRung[i] = false
        note("\(nodes[i].name) start incarnation=\(nodes[i].incarnation) applied=\(nodes[i].store.index) commit=\(nodes[i].lastCommit)")
        let phase = UInt64.random(in: 0 ..< nodes[i].tickPeriod, using: &diskRng)
        queue.schedule(.tick(i, incarnation: nodes[i].incarnation), at: now + phase + 1)
        queue.schedule(.loop(i, incarnation: nodes[i].incarnation), at: now + phase + config.loopInterval)
        afterStep(i)
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

    /// Rings node `i`'s bell: its loops run shortly, once however often it rings meanwhile.
    mutating func ring(_ i: Int) {
        guard nodes[i].isUp, !bellRung[i] else { return }
        bellRung[i] = true
        let latency = UInt64.random(in: 100_000 ... 1_000_000, using: &diskRng)
        queue.schedule(.bell(i, incarnation: nodes[i].incarnation), at: now + latency)
    }

    /// Checks Raft's invariants for node `i`, notes role changes (a new leader rings its
    /// controller) and schedules its next `Ready`.
    mutating func afterStep(_ i: Int) {
        guard let raft = nodes[i].raft else { return }
        trackLeadership(i)
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
            if raft.role == .leader { ring(i) }
        }
        if raft.hasReady && !nodes[i].readyScheduled {
            nodes[i].readyScheduled = true
            let latency = UInt64.random(in: 100_000 ... 2_000_000, using: &diskRng)
            queue.schedule(.ready(i, incarnation: nodes[i].incarnation), at: now + latency)
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

    /// What gossip would report after a round, as the leader sees it: the nodes that are up
    /// and that it reaches both ways, directly or through one other node (SWIM's indirect
    /// probe); an isolated node is dead to gossip though its processes may still run, which
    /// is exactly when only the lease keeps two holders apart. The same beat lets
    /// the checker forget states below every node's applied state and snapshot, the lowest
    /// any replica could come back to.
    mutating func refreshLiveness() {
        checks.prune(below: nodes.map { min($0.store.index, $0.disk.firstIndex - 1) }.min() ?? 0)
        let up = nodes.indices.filter { nodes[$0].isUp }
        let viewer = currentLeader ?? up.first
        let cut = blocked
        let linked = { (a: Int, b: Int) in a == b || (!cut[a][b] && !cut[b][a]) }
        let alive = Set(up.filter { j in
            guard let viewer else { return true }
            return linked(viewer, j) || up.contains { linked(viewer, $0) && linked($0, j) }
        }.map { nodes[$0].name })
        guard alive != aliveView else { return }
        aliveView = alive
        note("gossip: alive \(alive.sorted())")
        if let leader = currentLeader { ring(leader) }
    }
}
