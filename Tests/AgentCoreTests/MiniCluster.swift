import Basics
import Consensus
import Membership
@testable import AgentCore

/// A few `AgentNode`s on a perfect virtual network: every send is delivered at the next
/// step, time advances in fixed steps. Enough to test the composition; the seeded fault
/// simulations live in SimulationTests and ConsensusTests.
struct MiniCluster {
    var nodes: [Endpoint: AgentNode] = [:]
    var inFlight: [(AgentEvent, Endpoint)] = []
    var now = Instant.zero
    var committed: [UInt64: UInt64] = [:]   // proposal id -> index
    var failed: [UInt64: ProposalFailure] = [:]
    var crashed: Set<Endpoint> = []
    /// Nodes that hear no peer message (a one-way cut into them); they still tick and send.
    var deafened: Set<Endpoint> = []
    /// Snapshots each node stored through `.compact`, newest last.
    var compactions: [Endpoint: [Raft.Snapshot]] = [:]
    /// Snapshots each node installed from its leader through `.persist`.
    var installs: [Endpoint: [Raft.Snapshot]] = [:]
    /// The terms of the controller passes each node asked for, and whether each pod pass
    /// it asked for wanted a report. Nothing answers them unless a test does.
    var controllerPasses: [Endpoint: [UInt64]] = [:]
    var podPasses: [Endpoint: [Bool]] = [:]
    /// The node being stepped, and its applied index as its effects move it.
    var stepping = address(1)
    var appliedIndex: UInt64 = 0

    static func address(_ index: Int) -> Endpoint { Endpoint(host: "127.0.9.\(index)", port: 7400) }

    init(count: Int, bootstrapExpect: Int?, replaceDeadVoterAfter: Duration = .seconds(10), snapshotEntries: UInt64 = 10_000) {
        for index in 1...count {
            let id = NodeID("n\(index)")
            var settings = AgentCoreSettings()
            settings.bootstrapExpect = bootstrapExpect
            settings.replaceDeadVoterAfter = replaceDeadVoterAfter
            settings.snapshotEntries = snapshotEntries
            var raftSettings = Raft.Settings()
            raftSettings.electionTicks = 6
            nodes[Self.address(index)] = AgentNode(
                id: id, address: Self.address(index), metadata: ["api": "api-n\(index)"],
                membershipSettings: .init(), raft: try! RaftNode(id: id, storage: MemoryRaftStorage(), settings: raftSettings, seed: UInt64(index)),
                raftSettings: raftSettings, settings: settings, seed: UInt64(index) * 7
            )
        }
        for index in 1...count {
            deliver(.start(seeds: index == 1 ? [] : [Self.address(1)], now: now), to: Self.address(index))
        }
    }

    /// Hands `endpoint`'s node `event` and carries out its effects through the agent's own
    /// interpreter (``AgentCore/AgentStep``), with this cluster as the shell.
    mutating func deliver(_ event: AgentEvent, to endpoint: Endpoint) {
        guard !crashed.contains(endpoint), var node = nodes[endpoint] else { return }
        if deafened.contains(endpoint) {
            switch event {
            case .gossip, .raft, .lease, .forward: return
            default: break
            }
        }
        stepping = endpoint
        appliedIndex = node.raft.appliedIndex
        AgentStep.run(&node, [event], shell: &self)
        nodes[endpoint] = node
    }

    /// Advances virtual time in 10 ms steps, ticking every node and delivering messages.
    mutating func run(for duration: Duration) {
        let end = now + duration
        while now < end {
            now = now + .milliseconds(10)
            for endpoint in nodes.keys.sorted() { deliver(.tick(now: now), to: endpoint) }
            var rounds = 0
            while !inFlight.isEmpty && rounds < 50 {
                let batch = inFlight
                inFlight = []
                for (event, to) in batch { deliver(retimed(event), to: to) }
                rounds += 1
            }
        }
    }

    private func retimed(_ event: AgentEvent) -> AgentEvent {
        switch event {
        case .gossip(let envelope, _): .gossip(envelope, now: now)
        case .raft(let message, _): .raft(message, now: now)
        case .lease(let message, _): .lease(message, now: now)
        case .forward(let message, _): .forward(message, now: now)
        default: event
        }
    }

    /// The bytes a node's state machine hands over at `index`.
    static func state(at index: UInt64) -> [UInt8] { Array("state@\(index)".utf8) }

    var leaders: [NodeID] {
        nodes.filter { !crashed.contains($0.key) && $0.value.raft.role == .leader }.map(\.value.id).sorted()
    }

    func node(_ id: NodeID) -> AgentNode? { nodes.values.first { $0.id == id } }
    func endpoint(of id: NodeID) -> Endpoint? { nodes.first { $0.value.id == id }?.key }
}

/// The cluster as the shell of the node it is stepping: messages go in flight, what a test
/// looks at is recorded, and there is no disk or state machine (a snapshot's bytes name the
/// index they were taken at).
extension MiniCluster: AgentShell {
    typealias Failure = Never

    var isUp: Bool { !crashed.contains(stepping) }
    var eventTime: Instant { now }

    mutating func send(_ message: PeerMessage, to address: Endpoint) {
        if let event = message.event(now: now) { inFlight.append((event, address)) }
    }

    mutating func persist(hardState: Raft.HardState?, entries: [Raft.Entry], snapshot: Raft.Snapshot?) {
        guard let snapshot else { return }
        installs[stepping, default: []].append(snapshot)
        appliedIndex = snapshot.index
    }

    mutating func bootstrap(voters: [NodeID]) {}

    mutating func apply(_ entries: [Raft.Entry]) -> Bool {
        appliedIndex = entries.last?.index ?? appliedIndex
        return false
    }

    mutating func takeSnapshot() -> (index: UInt64, data: [UInt8]) {
        (appliedIndex, Self.state(at: appliedIndex))
    }

    mutating func compact(_ snapshot: Raft.Snapshot) { compactions[stepping, default: []].append(snapshot) }
    mutating func proposalCommitted(id: UInt64, index: UInt64) { committed[id] = index }
    mutating func proposalFailed(id: UInt64, reason: ProposalFailure) { failed[id] = reason }
    mutating func runControllerPass(members: [Membership.Member], lost: Set<NodeID>, term: UInt64) {
        controllerPasses[stepping, default: []].append(term)
    }
    mutating func runPods(lease: LeaseHolder, report: Bool) { podPasses[stepping, default: []].append(report) }
    mutating func scheduleTick(at: Instant) {}
}
