import Basics
@testable import Consensus

/// Builders for message-level tests of a single node.
enum Fixture {
    static let n1 = NodeID("n1"), n2 = NodeID("n2"), n3 = NodeID("n3")

    static var settings: Raft.Settings {
        var s = Raft.Settings()
        s.preVote = false
        s.checkQuorum = false
        return s
    }

    /// A node whose log holds entries with `terms` (index 1, 2, …) after an empty snapshot
    /// carrying the configuration, at `term`.
    static func node(_ id: NodeID = n1, voters: [NodeID] = [n1, n2, n3], terms: [UInt64] = [], term: UInt64 = 0,
                     commit: UInt64 = 0, settings: Raft.Settings = Fixture.settings) -> RaftNode {
        var storage = MemoryRaftStorage()
        try! storage.applySnapshot(Raft.Snapshot(metadata: Raft.SnapshotMetadata(confState: Raft.ConfState(voters: voters))))
        try! storage.append(terms.enumerated().map { Raft.Entry(term: $1, index: UInt64($0 + 1), data: [UInt8($0)]) })
        storage.setHardState(Raft.HardState(term: term, vote: nil, commit: commit))
        return try! RaftNode(id: id, storage: storage, settings: settings, seed: 1)
    }

    static func message(_ from: NodeID, _ to: NodeID, term: UInt64, _ payload: Raft.Message.Payload) -> Raft.Message {
        Raft.Message(from: from, to: to, term: term, payload: payload)
    }

    static func entries(_ terms: [UInt64], from first: UInt64) -> [Raft.Entry] {
        terms.enumerated().map { Raft.Entry(term: $1, index: first + UInt64($0), data: [0xEE]) }
    }

    /// All messages of one `Ready`, in send order.
    static func sent(_ node: inout RaftNode) -> [Raft.Message] {
        let rd = node.ready()
        node.advance(rd)
        return rd.messagesNow + rd.messagesAfterPersist
    }

    static func logTerms(_ node: RaftNode) -> [UInt64] {
        node.entries(node.firstIndex, node.lastIndex).map(\.term)
    }

    /// Makes `node` leader of the next term by handing it the votes it asks for.
    static func elect(_ node: inout RaftNode) {
        node.campaign(transfer: false)
        for m in sent(&node) {
            if case .vote = m.payload {
                try! node.step(message(m.to, node.id, term: node.term, .voteResponse(granted: true)))
            }
        }
    }
}
