import Basics
@testable import Consensus

/// A synchronous in-memory network for unit tests, like etcd's `network`: nodes persist
/// every `Ready` into their own ``MemoryRaftStorage`` at once, messages are delivered in
/// FIFO order, and links can be cut. `stabilize()` runs until nothing moves.
struct TestCluster {
    var nodes: [NodeID: RaftNode] = [:]
    var disks: [NodeID: MemoryRaftStorage] = [:]
    var applied: [NodeID: [Raft.Entry]] = [:]
    var readStates: [NodeID: [Raft.ReadState]] = [:]
    var inFlight: [Raft.Message] = []
    var delivered: [Raft.Message] = []
    var cut: Set<[NodeID]> = []
    /// Return `false` to drop a message.
    var filter: (Raft.Message) -> Bool = { _ in true }
    let settings: Raft.Settings

    static func id(_ name: String) -> NodeID { NodeID(name) }

    init(voters: [String], learners: [String] = [], settings: Raft.Settings = Raft.Settings()) {
        self.settings = settings
        let disk = MemoryRaftStorage.bootstrap(voters: voters.map(NodeID.init), learners: learners.map(NodeID.init))
        for (offset, name) in (voters + learners).enumerated() {
            let id = NodeID(name)
            disks[id] = disk
            nodes[id] = try! RaftNode(id: id, storage: disk, settings: settings, seed: UInt64(offset + 1))
            applied[id] = []
        }
        stabilize()
    }

    /// Adds a node with empty storage (a new server about to join).
    mutating func addEmptyNode(_ name: String) {
        let id = NodeID(name)
        disks[id] = MemoryRaftStorage()
        nodes[id] = try! RaftNode(id: id, storage: MemoryRaftStorage(), settings: settings, seed: 99)
        applied[id] = []
    }

    subscript(name: String) -> RaftNode {
        get { nodes[NodeID(name)]! }
        set { nodes[NodeID(name)] = newValue }
    }

    var ids: [NodeID] { nodes.keys.sorted() }

    /// Persists and applies one node's pending `Ready`s, queueing its messages.
    mutating func drain(_ id: NodeID) {
        guard var node = nodes[id] else { return }
        while node.hasReady {
            let rd = node.ready()
            var disk = disks[id]!
            if let s = rd.snapshotToInstall { try! disk.applySnapshot(s) }
            try! disk.append(rd.entriesToAppend)
            if let hs = rd.hardState { disk.setHardState(hs) }
            disks[id] = disk
            inFlight += rd.messagesNow + rd.messagesAfterPersist
            applied[id, default: []] += rd.committedEntries
            readStates[id, default: []] += rd.readStates
            node.advance(rd)
        }
        nodes[id] = node
    }

    /// Delivers messages until the network is quiet.
    mutating func stabilize(maxMessages: Int = 100_000) {
        var budget = maxMessages
        while true {
            for id in ids { drain(id) }
            if inFlight.isEmpty || budget <= 0 { return }
            let batch = inFlight
            inFlight = []
            for m in batch {
                budget -= 1
                guard !cut.contains([m.from, m.to]), filter(m), nodes[m.to] != nil else { continue }
                delivered.append(m)
                try! nodes[m.to]!.step(m)
            }
        }
    }

    mutating func tick(_ name: String, times: Int = 1) {
        for _ in 0 ..< times { nodes[NodeID(name)]!.tick() }
        drain(NodeID(name))
    }

    /// Ticks every node `times` times, delivering messages after each round.
    mutating func tickAll(_ times: Int) {
        for _ in 0 ..< times {
            for id in ids { nodes[id]!.tick() }
            stabilize()
        }
    }

    /// Starts an election on `name` as its timeout would, and lets it play out.
    mutating func campaign(_ name: String) {
        nodes[NodeID(name)]!.campaign(transfer: false)
        stabilize()
    }

    mutating func propose(_ name: String, _ text: String) throws(Raft.ProposalError) {
        try nodes[NodeID(name)]!.propose(Array(text.utf8))
        stabilize()
    }

    mutating func isolate(_ name: String) {
        let a = NodeID(name)
        for b in ids where b != a {
            cut.insert([a, b])
            cut.insert([b, a])
        }
    }

    mutating func heal() { cut = [] }

    /// Application payloads applied on `name`, as strings.
    func appliedTexts(_ name: String) -> [String] {
        applied[NodeID(name)]!.filter { $0.kind == .normal }.map { String(decoding: $0.data, as: UTF8.self) }
    }

    /// Restarts `name` from its disk, losing volatile state.
    mutating func restart(_ name: String, seed: UInt64 = 1234) {
        let id = NodeID(name)
        nodes[id] = try! RaftNode(id: id, storage: disks[id]!, settings: settings, seed: seed)
        applied[id] = []
        drain(id)
    }
}
