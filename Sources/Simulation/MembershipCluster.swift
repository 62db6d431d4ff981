import Basics
import Membership

/// Runs N ``Membership/Instance``s on virtual time over a ``SimNetwork``: delivers their
/// sends, honours their `scheduleTick`s, injects crashes and leaves, records a trace, and
/// checks invariants after every step.
///
/// One seed drives everything: it is split into one stream per node (each instance's own
/// seed), one for the network and one for the fault plan (join times), so adding a node
/// does not perturb the others (conventions §8.4).
package struct MembershipCluster: Sendable {
    package struct Node: Sendable {
        package let id: NodeID
        package let address: Endpoint
        package var instance: Membership.Instance
        package var isCrashed = false
        /// The pending tick; queued ticks for any other instant are stale and skipped.
        var tickAt: Instant?
    }

    enum Pending: Sendable {
        case deliver(Membership.Envelope, to: Int)
        case tick(Int)
        case join(Int, seeds: [Endpoint])
        case leave(Int)
        case crash(Int)
        case restart(Int, seeds: [Endpoint])
    }

    package let seed: UInt64
    package internal(set) var nodes: [Node] = []
    package internal(set) var now: Instant = .zero
    package internal(set) var steps = 0
    package var network: SimNetwork
    package internal(set) var trace = SimTrace()
    package internal(set) var stats = MembershipSimStats()
    /// Invariant violations, in order; a correct run has none.
    package internal(set) var violations: [String] = []
    /// Whether `.memberChanged` directives are traced (`t=… a2: a5 suspect->dead inc=0`).
    package var tracesChanges = true

    var queue = EventQueue<Pending>()
    var faultStream: SplitMix64
    var indexByAddress: [Endpoint: Int] = [:]
    var indexByID: [NodeID: Int] = [:]
    /// Per observer: the highest incarnation at which it saw each member dead or left.
    var goneAt: [[NodeID: UInt64]] = []
    let settings: Membership.Settings

    /// - Parameters:
    ///   - size: members, named `a1 ... aN`.
    ///   - latency: one-way delay range of every message.
    ///   - lossProbability: chance that any one message is lost.
    package init(
        size: Int,
        seed: UInt64,
        settings: Membership.Settings = .init(),
        latency: ClosedRange<Duration> = .milliseconds(1) ... .milliseconds(5),
        lossProbability: Double = 0
    ) {
        self.seed = seed
        self.settings = settings
        var root = SplitMix64(seed: seed)
        network = SimNetwork(seed: root.next(), latency: latency, lossProbability: lossProbability)
        faultStream = root.split()
        for index in 0..<size {
            let id = NodeID("a\(index + 1)")
            let address = Endpoint(host: "10.0.\(index / 250).\(index % 250 + 1)", port: 7946)
            let instance = Membership.Instance(id: id, address: address, metadata: [:], settings: settings, seed: root.next())
            nodes.append(Node(id: id, address: address, instance: instance))
            indexByAddress[address] = index
            indexByID[id] = index
            goneAt.append([:])
        }
    }

    // MARK: - Scripting

    /// Node 0 founds the cluster at `now`; every other node joins through it at a random
    /// instant within `spread`.
    package mutating func joinAll(over spread: Duration = .seconds(1)) {
        guard !nodes.isEmpty else { return }
        queue.push(.join(0, seeds: []), at: now)
        for index in 1..<nodes.count {
            let offset = Duration.nanoseconds(Int64.random(in: 1...max(1, spread.nanoseconds), using: &faultStream))
            queue.push(.join(index, seeds: [nodes[0].address]), at: now + offset)
        }
    }

    /// Crashes a node now: it stops receiving and ticking, and its pending effects are lost.
    package mutating func crash(_ id: NodeID) {
        guard let index = indexByID[id] else { return }
        apply(.crash(index))
    }

    package mutating func crash(_ id: NodeID, at time: Instant) {
        guard let index = indexByID[id] else { return }
        queue.push(.crash(index), at: time)
    }

    /// Restarts a crashed node as a fresh instance (incarnation 0, new random stream, no
    /// memory) that joins through `seeds`; as an agent restarted from scratch would.
    package mutating func restart(_ id: NodeID, seeds: [NodeID], at time: Instant) {
        guard let index = indexByID[id] else { return }
        let addresses = seeds.compactMap { indexByID[$0].map { nodes[$0].address } }
        queue.push(.restart(index, seeds: addresses), at: time)
    }

    package mutating func leave(_ id: NodeID, at time: Instant) {
        guard let index = indexByID[id] else { return }
        queue.push(.leave(index), at: time)
    }

    /// Runs events until virtual time passes `deadline` or `maxSteps` events ran.
    package mutating func run(until deadline: Instant, maxSteps: Int = 10_000_000) {
        var budget = maxSteps
        while budget > 0, let next = queue.nextTime, next <= deadline {
            let (time, pending) = queue.pop()!
            now = time
            apply(pending)
            budget -= 1
        }
        if now < deadline { now = deadline }
    }

    package mutating func run(for duration: Duration, maxSteps: Int = 10_000_000) {
        run(until: now + duration, maxSteps: maxSteps)
    }

    /// Runs until `condition` holds (checked every `checkEvery` of virtual time) or `limit`
    /// passes. - Returns: whether the condition held.
    package mutating func run(
        untilTrue condition: (MembershipCluster) -> Bool,
        limit: Duration,
        checkEvery: Duration = .milliseconds(50)
    ) -> Bool {
        let end = now + limit
        while now < end {
            if condition(self) { return true }
            run(until: min(now + checkEvery, end))
        }
        return condition(self)
    }

    // MARK: - Views

    package func node(_ id: NodeID) -> Node? { indexByID[id].map { nodes[$0] } }

    package var liveNodes: [Node] { nodes.filter { !$0.isCrashed } }

    /// Whether every live node sees every other live node alive.
    package var isConverged: Bool {
        let live = liveNodes
        for observer in live {
            for subject in live where observer.instance.member(subject.id)?.status != .alive {
                return false
            }
        }
        return true
    }

    /// The replay line printed on failure.
    package func replayHint(test: String) -> String {
        "ORDINAL_SIM_SEED=\(seed) swift test --filter \(test)"
    }

    package func failureReport(test: String) -> String {
        (["replay: " + replayHint(test: test)] + violations.prefix(10) + ["last trace lines:"] + trace.lines)
            .joined(separator: "\n")
    }
}
