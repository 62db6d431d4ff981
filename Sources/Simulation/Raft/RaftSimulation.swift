import Basics
import Consensus

/// A seeded, virtual-time cluster of ``Consensus/RaftNode``s on a faulty network: message
/// loss, delay and reordering, duplication, symmetric and asymmetric partitions, crashes
/// (also between sending and persisting a `Ready`) and restarts from the persisted state, per-node
/// clock drift, leadership transfers and membership changes. Safety is checked after every
/// step (``RaftSimInvariants``); after the faults heal, every acknowledged proposal must be
/// applied on every member. One seed drives everything, so a failure replays exactly.
package struct RaftSimulation: Sendable {
    enum Event: Sendable {
        case tick(Int, incarnation: Int)
        case ready(Int, incarnation: Int)
        case deliver(Raft.Message, to: Int)
        case fault
        case restart(Int)
        case propose
        case heal
    }

    package let seed: UInt64
    package let config: RaftSimConfig
    let settings: Raft.Settings
    var nodes: [RaftSimNode] = []
    var indexOf: [NodeID: Int] = [:]
    var nodeSeeds: [UInt64] = []
    var queue = EventQueue<Event>()
    var now: UInt64 = 0
    var chaos = true
    /// `blocked[from][to]`: the directed link drops everything.
    var blocked: [[Bool]] = []
    var netRng: SplitMix64
    var faultRng: SplitMix64
    var clientRng: SplitMix64
    var diskRng: SplitMix64
    package var trace = RaftSimTrace()
    package var invariants = RaftSimInvariants()
    var observedRole: [String] = []

    // Client bookkeeping.
    var nextProposal: UInt64 = 1
    var proposedOn: [UInt64: Int] = [:]
    /// Proposals the proposing node reported committed (applied), with their index.
    package internal(set) var acknowledged: [(id: UInt64, index: UInt64)] = []
    package internal(set) var events = 0

    package init(seed: UInt64, config: RaftSimConfig) {
        self.seed = seed
        self.config = config
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
        clientRng = root.split()
        diskRng = root.split()
        let disk = MemoryRaftStorage.bootstrap(voters: voterIDs, learners: learnerIDs)
        for (i, id) in ids.enumerated() {
            let drift = Double.random(in: -config.maxDrift ... config.maxDrift, using: &clockRng)
            let period = UInt64((Double(config.tickPeriod) * (1 + drift)).rounded())
            nodes.append(RaftSimNode(id: id, tickPeriod: period, raft: nil, disk: disk))
            indexOf[id] = i
            nodeSeeds.append(root.next())
        }
        blocked = Array(repeating: Array(repeating: false, count: ids.count), count: ids.count)
        observedRole = Array(repeating: "", count: ids.count)
    }

    /// Runs the whole scenario and returns what happened.
    package mutating func run() -> RaftSimReport {
        for i in nodes.indices { start(i) }
        queue.schedule(.fault, at: config.faultInterval)
        queue.schedule(.propose, at: config.proposalInterval)
        queue.schedule(.heal, at: config.chaosDuration)
        let end = config.chaosDuration + config.settleDuration
        while let (instant, event) = queue.pop(), case let time = instant.nanoseconds, time <= end, invariants.violations.isEmpty, events < 3_000_000 {
            now = time
            events += 1
            handle(event)
        }
        if invariants.violations.isEmpty { checkConvergence() }
        return RaftSimReport(
            seed: seed, config: config, digest: trace.digest, violations: invariants.violations + convergenceFailures,
            traceTail: trace.lastLines, events: events, acknowledged: acknowledged.count
        )
    }

    var convergenceFailures: [String] = []

    mutating func note(_ text: String) {
        trace.record(.note(time: now, text))
    }

    // MARK: Events

    mutating func handle(_ event: Event) {
        switch event {
        case .tick(let i, let incarnation):
            guard nodes[i].incarnation == incarnation, nodes[i].raft != nil else { return }
            nodes[i].raft!.tick()
            queue.schedule(.tick(i, incarnation: incarnation), at: now + nodes[i].tickPeriod)
            afterStep(i)
        case .ready(let i, let incarnation):
            guard nodes[i].incarnation == incarnation, nodes[i].raft != nil else { return }
            nodes[i].readyScheduled = false
            processReady(i)
            afterStep(i)
        case .deliver(let message, let j):
            deliver(message, to: j)
        case .fault:
            guard chaos else { return }
            injectFault()
            queue.schedule(.fault, at: now + UInt64.random(in: config.faultInterval / 2 ... config.faultInterval * 3 / 2, using: &faultRng))
        case .restart(let i):
            if !nodes[i].isUp { start(i) }
        case .propose:
            guard chaos else { return }
            proposeOnLeader()
            queue.schedule(.propose, at: now + config.proposalInterval)
        case .heal:
            chaos = false
            note("heal: links restored, loss off, all nodes restarted")
            for from in blocked.indices { for to in blocked.indices { blocked[from][to] = false } }
            for i in nodes.indices where !nodes[i].isUp { start(i) }
        }
    }

    mutating func start(_ i: Int) {
        nodes[i].incarnation += 1
        let seed = nodeSeeds[i] &+ UInt64(nodes[i].incarnation)
        do {
            nodes[i].raft = try RaftNode(id: nodes[i].id, storage: nodes[i].disk, settings: settings, seed: seed)
        } catch {
            convergenceFailures.append("\(nodes[i].id) failed to start: \(error)")
            return
        }
        let snapshot = nodes[i].disk.snapshot()
        nodes[i].machine = RaftSimNode.Machine(decoding: snapshot.data) ?? RaftSimNode.Machine()
        invariants.checkChain(index: nodes[i].machine.index, hash: nodes[i].machine.hash, on: nodes[i].id)
        nodes[i].lastCommit = nodes[i].raft!.commitIndex
        nodes[i].leaderTermSeen = 0
        nodes[i].readyScheduled = false
        note("\(nodes[i].id) start incarnation=\(nodes[i].incarnation) commit=\(nodes[i].lastCommit)")
        let phase = UInt64.random(in: 0 ..< nodes[i].tickPeriod, using: &diskRng)
        queue.schedule(.tick(i, incarnation: nodes[i].incarnation), at: now + phase + 1)
        afterStep(i)
    }

    mutating func crash(_ i: Int, reason: String) {
        guard nodes[i].isUp else { return }
        nodes[i].raft = nil
        nodes[i].readyScheduled = false
        note("\(nodes[i].id) crash (\(reason))")
        let downtime = UInt64.random(in: 50_000_000 ... 600_000_000, using: &faultRng)
        queue.schedule(.restart(i), at: now + downtime)
    }

    /// Checks the invariants that concern node `i` and schedules its next `Ready`.
    mutating func afterStep(_ i: Int) {
        guard let raft = nodes[i].raft else { return }
        invariants.observeCommit(raft, previous: nodes[i].lastCommit)
        nodes[i].lastCommit = raft.commitIndex
        if raft.role == .leader {
            invariants.observeLeader(raft.id, term: raft.term)
            if nodes[i].leaderTermSeen != raft.term {
                nodes[i].leaderTermSeen = raft.term
                invariants.checkLeaderCompleteness(raft)
            }
        }
        let roleNow = "\(raft.role.rawValue) term=\(raft.term)"
        if roleNow != observedRole[i] {
            observedRole[i] = roleNow
            note("\(raft.id) \(roleNow) last=\(raft.lastIndex) commit=\(raft.commitIndex)")
        }
        if raft.hasReady && !nodes[i].readyScheduled {
            nodes[i].readyScheduled = true
            let latency = UInt64.random(in: 100_000 ... 2_000_000, using: &diskRng)
            queue.schedule(.ready(i, incarnation: nodes[i].incarnation), at: now + latency)
        }
    }
}

/// The outcome of one run.
package struct RaftSimReport: Sendable {
    package var seed: UInt64
    package var config: RaftSimConfig
    package var digest: UInt64
    package var violations: [String]
    package var traceTail: [String]
    package var events: Int
    package var acknowledged: Int

    package var passed: Bool { violations.isEmpty }
}
