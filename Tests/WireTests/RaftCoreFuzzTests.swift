import Basics
import Consensus
import Testing
@testable import PeerMessages
@testable import Wire
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Whatever the decoder accepts must be safe for the core: mutated Raft frames that decode
/// are delivered to a follower and to a leader, which step them, tick, and carry out every
/// `Ready`. A precondition or overflow in `RaftNode` would crash the run, so reaching the
/// end is the assertion. The core also never refuses a message the decoder accepted (once it
/// is addressed to the node), so the wire rules cover `RaftNode`'s own validation.
@Suite struct RaftCoreFuzzTests {
    static let iterations = FuzzTests.iterations / 4
    static let cluster = [NodeID("n1"), NodeID("n2"), NodeID("n3")]

    @Test func decodedRaftMessages_neverTrapTheCore() throws {
        let pristine = [try Self.follower(), try Self.leader()]
        var nodes = pristine
        let seeds = try Fixture.raftAll.map { try $0.message.serializedBytes() }
        var random = SplitMix64(seed: 0x5AFE_C0DE)
        var accepted = 0
        for iteration in 0..<Self.iterations {
            if iteration.isMultiple(of: 32) { nodes = pristine }
            var body = seeds.randomElement(using: &random)!
            if Bool.random(using: &random) {
                body = try Self.poke(body, using: &random)
            } else {
                for _ in 0..<Int.random(in: 1...2, using: &random) {
                    FuzzTests.mutate(&body, using: &random)
                }
            }
            guard case let .raft(message)? = try? Wire.PeerMessage(serializedBytes: body) else { continue }
            for index in nodes.indices {
                var readdressed = message
                readdressed.to = nodes[index].id
                if readdressed.from == readdressed.to { readdressed.from = NodeID("n3") }
                // The decoder's rules cover `RaftNode.validate`: nothing it accepts is malformed.
                #expect(throws: Never.self) { try nodes[index].step(readdressed) }
                accepted += 1
                for _ in 0..<Int.random(in: 0...3, using: &random) { nodes[index].tick() }
                Self.drain(&nodes[index])
            }
        }
        #expect(accepted > Self.iterations / 4)
        #expect(pristine[1].role == .leader)
    }

    /// Numbers at the edges of what the decoder accepts, and just past them.
    static let edges: [UInt64] = [
        0, 1, 2, Wire.maxRaftIndex - 1, Wire.maxRaftIndex, Wire.maxRaftIndex + 1, .max - 1, .max,
    ]

    /// Every number field of a Raft message; setting one of another payload switches to it.
    static let fields: [@Sendable (inout Ordinal_Wire_V1_RaftMessage, UInt64) -> Void] = [
        { $0.term = $1 },
        { $0.preVote.lastIndex = $1 }, { $0.vote.lastTerm = $1 },
        { $0.append.prevIndex = $1 }, { $0.append.prevTerm = $1 }, { $0.append.commit = $1 },
        { if !$0.append.entries.isEmpty { $0.append.entries[0].index = $1 } },
        { if !$0.append.entries.isEmpty { $0.append.entries[$0.append.entries.count - 1].term = $1 } },
        { $0.appendResponse.index = $1 }, { $0.appendResponse.rejection.hintIndex = $1 },
        { $0.appendResponse.rejection.hintTerm = $1 },
        { $0.heartbeat.commit = $1 }, { $0.heartbeat.readSequence = $1 }, { $0.heartbeatResponse.readSequence = $1 },
        { $0.snapshot.metadata.index = $1 }, { $0.snapshot.metadata.term = $1 },
    ]

    /// Sets one or two number fields of a serialized Raft frame to edge values.
    static func poke(_ body: [UInt8], using random: inout SplitMix64) throws -> [UInt8] {
        var frame = try PeerFrame(serializedBytes: body)
        for _ in 0..<Int.random(in: 1...2, using: &random) {
            fields.randomElement(using: &random)!(&frame.raft, edges.randomElement(using: &random)!)
        }
        return try frame.serializedBytes()
    }

    /// Carries out every pending `Ready` as a shell would (the messages go nowhere).
    static func drain(_ node: inout RaftNode) {
        for _ in 0..<8 where node.hasReady {
            node.advance(node.ready())
        }
    }

    static func follower() throws -> RaftNode {
        var node = try RaftNode(id: NodeID("n2"), storage: MemoryRaftStorage.bootstrap(voters: cluster), seed: 2)
        drain(&node)
        return node
    }

    /// n1, elected with n2's pre-vote and vote.
    static func leader() throws -> RaftNode {
        var node = try RaftNode(id: NodeID("n1"), storage: MemoryRaftStorage.bootstrap(voters: cluster), seed: 1)
        drain(&node)
        for _ in 0..<100 where node.role == .follower { node.tick() }
        try #require(node.role == .preCandidate)
        let preVoteTerm = node.term + 1
        drain(&node)
        try node.step(Raft.Message(from: NodeID("n2"), to: node.id, term: preVoteTerm, payload: .preVoteResponse(granted: true)))
        try #require(node.role == .candidate)
        drain(&node)
        try node.step(Raft.Message(from: NodeID("n2"), to: node.id, term: node.term, payload: .voteResponse(granted: true)))
        try #require(node.role == .leader)
        drain(&node)
        return node
    }
}
