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

    private mutating func deliver(_ event: AgentEvent, to index: Int) {
        for effect in nodes[index].handle(event) {
            let message: PeerMessage
            let address: Endpoint
            switch effect {
            case .sendGossip(let envelope, let to): (message, address) = (.gossip(envelope), to)
            case .sendRaft(let raft, let to): (message, address) = (.raft(raft), to)
            case .sendLease(let lease, let to): (message, address) = (.lease(lease), to)
            case .sendForward(let forward, let to): (message, address) = (.forward(forward), to)
            default: continue
            }
            sent.append(message)
            if let to = Self.addresses.firstIndex(of: address) { inFlight.append((message, to)) }
        }
    }
}
