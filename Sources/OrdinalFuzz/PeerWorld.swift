import AgentCore
import Basics
import Consensus
import Membership

/// Three agents composed as the real agent composes them, on a perfect virtual network,
/// run until one of them leads. The peer target feeds its inputs to copies of these nodes
/// (a leader and a follower, so both sides of Raft and leases are reached), and the seed
/// generator takes its frames from the traffic they exchanged.
struct PeerWorld {
    static let addresses = (1...3).map { Endpoint(host: "10.0.0.\($0)", port: 7400) }

    private(set) var nodes: [AgentNode] = []
    private(set) var now = Instant.zero
    /// Every message the nodes sent, in order.
    private(set) var sent: [PeerMessage] = []
    private var inFlight: [(PeerMessage, to: Int)] = []
    /// The stepped node's applied index as its effects move it.
    private var applied: UInt64 = 0

    init() {
        var core = AgentCoreSettings()
        core.bootstrapExpect = 3
        for (index, address) in Self.addresses.enumerated() {
            // MemoryRaftStorage is empty and cannot fail to load.
            nodes.append(try! AgentNode.compose(
                id: NodeID("n\(index + 1)"), address: address, metadata: [MetadataKey.volumes: "/data/n\(index + 1)"],
                storage: MemoryRaftStorage(), membership: Membership.Settings(), raft: Raft.Settings(), core: core,
                seed: UInt64(index + 1) * 1_000_003
            ))
        }
        for index in nodes.indices {
            deliver(.start(seeds: index == 0 ? [] : [Self.addresses[0]], now: now), to: index)
        }
        // Bounded: 60 virtual seconds; elections take a few.
        for _ in 0..<6_000 where leader == nil { step() }
        precondition(leader != nil, "the three agents elected no leader in 60 virtual seconds")
        deliver(.propose(id: 1, data: Array("fuzz".utf8), now: now), to: leader!)
        for _ in 0..<300 { step() }
    }

    /// The index of the node that leads, if any.
    var leader: Int? { nodes.firstIndex { $0.raft.role == .leader } }

    /// Advances 10 ms: ticks every node, then delivers until the network is quiet.
    private mutating func step() {
        now = now + .milliseconds(10)
        for index in nodes.indices { deliver(.tick(now: now), to: index) }
        for _ in 0..<50 where !inFlight.isEmpty {
            let batch = inFlight
            inFlight = []
            for (message, to) in batch {
                if let event = message.event(now: now) { deliver(event, to: to) }
            }
        }
    }

    /// Steps node `index` through the agent's own interpreter, with this world as its shell.
    private mutating func deliver(_ event: AgentEvent, to index: Int) {
        var node = nodes[index]
        applied = node.raft.appliedIndex
        AgentStep.run(&node, [event], shell: &self)
        nodes[index] = node
    }
}

/// The world as the shell of the node it steps: sends are recorded and put in flight; there
/// is no disk and no state machine (a snapshot's bytes are empty).
extension PeerWorld: AgentShell {
    typealias Failure = Never

    var isUp: Bool { true }
    var eventTime: Instant { now }

    mutating func send(_ message: PeerMessage, to address: Endpoint) {
        sent.append(message)
        if let to = Self.addresses.firstIndex(of: address) { inFlight.append((message, to)) }
    }

    mutating func persist(hardState: Raft.HardState?, entries: [Raft.Entry], snapshot: Raft.Snapshot?) {
        applied = snapshot?.index ?? applied
    }

    mutating func bootstrap(voters: [NodeID]) {}

    mutating func apply(_ entries: [Raft.Entry]) -> Bool {
        applied = entries.last?.index ?? applied
        return false
    }

    mutating func takeSnapshot() -> (index: UInt64, data: [UInt8]) { (applied, []) }
    mutating func compact(_ snapshot: Raft.Snapshot) {}
    mutating func proposalCommitted(id: UInt64, index: UInt64) {}
    mutating func proposalFailed(id: UInt64, reason: ProposalFailure) {}
    mutating func runControllerPass(members: [Membership.Member], lost: Set<NodeID>, term: UInt64) {}
    mutating func runPods(lease: LeaseHolder, report: Bool) {}
    mutating func scheduleTick(at: Instant) {}
}
