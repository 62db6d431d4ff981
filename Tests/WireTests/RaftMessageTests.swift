import Basics
import Consensus
import Testing
@testable import PeerMessages
@testable import Wire

/// Named Raft messages covering every ``Raft/Message/Payload`` kind, for table-driven tests
/// and as seeds for the fuzz test.
extension Fixture {
    static let leader = NodeID("n1")
    static let follower = NodeID("n2")

    static func raft(_ payload: Raft.Message.Payload, term: UInt64 = 3, from: NodeID = leader, to: NodeID = follower) -> Wire.PeerMessage {
        .raft(Raft.Message(from: from, to: to, term: term, payload: payload))
    }

    static let entries: [Raft.Entry] = [
        .init(term: 2, index: 5, kind: .confChange, data: Raft.ConfChange(.addLearner, NodeID("n4")).encoded),
        .init(term: 3, index: 6, kind: .noop),
        .init(term: 3, index: 7, kind: .normal, data: Array("set k=v 🚀".utf8)),
    ]

    static let snapshot = Raft.Snapshot(
        metadata: .init(index: 42, term: 3, confState: .init(voters: [leader, follower, NodeID("n3")], learners: [NodeID("n4")])),
        data: Array(0...255)
    )

    static let raftAll: [Fixture] = [
        Fixture(name: "raft preVote", message: raft(.preVote(.init(lastIndex: 7, lastTerm: 3)), term: 4, from: follower, to: leader)),
        Fixture(name: "raft preVoteResponse granted", message: raft(.preVoteResponse(granted: true), term: 4)),
        Fixture(name: "raft preVoteResponse refused", message: raft(.preVoteResponse(granted: false))),
        Fixture(name: "raft vote", message: raft(.vote(.init(lastIndex: 0, lastTerm: 0)), term: 1)),
        Fixture(
            name: "raft vote for leadership transfer, at the largest term",
            message: raft(
                .vote(.init(lastIndex: Wire.maxRaftIndex, lastTerm: Wire.maxRaftIndex, leadershipTransfer: true)),
                term: Wire.maxRaftIndex
            )
        ),
        Fixture(name: "raft voteResponse", message: raft(.voteResponse(granted: true))),
        Fixture(name: "raft append, empty", message: raft(.append(.init(prevIndex: 0, prevTerm: 0, entries: [], commit: 0)))),
        Fixture(name: "raft append of every entry kind", message: raft(.append(.init(prevIndex: 4, prevTerm: 2, entries: entries, commit: 5)))),
        Fixture(
            name: "raft append at the last index",
            message: raft(.append(.init(
                prevIndex: Wire.maxRaftIndex - 1, prevTerm: 3, entries: [.init(term: 3, index: Wire.maxRaftIndex)], commit: Wire.maxRaftIndex
            )))
        ),
        Fixture(name: "raft appendResponse accepted", message: raft(.appendResponse(.init(index: 7)), from: follower, to: leader)),
        Fixture(
            name: "raft appendResponse rejected with hint",
            message: raft(.appendResponse(.init(index: 9, rejection: .init(hintIndex: 6, hintTerm: 2))), from: follower, to: leader)
        ),
        Fixture(
            name: "raft appendResponse rejected with zero hint",
            message: raft(.appendResponse(.init(index: 1, rejection: .init(hintIndex: 0, hintTerm: 0))), from: follower, to: leader)
        ),
        Fixture(name: "raft heartbeat", message: raft(.heartbeat(.init(commit: 7)))),
        Fixture(name: "raft heartbeat with read round", message: raft(.heartbeat(.init(commit: 7, readSequence: .max)))),
        Fixture(name: "raft heartbeatResponse", message: raft(.heartbeatResponse(.init(readSequence: 12)), from: follower, to: leader)),
        Fixture(name: "raft snapshot", message: raft(.snapshot(snapshot))),
        Fixture(
            name: "raft snapshot, single voter, no data",
            message: raft(.snapshot(.init(metadata: .init(index: 1, term: 1, confState: .init(voters: [leader])))))
        ),
        Fixture(name: "raft timeoutNow", message: raft(.timeoutNow, term: 1)),
    ]
}

@Suite struct RaftMessageTests {
    @Test(arguments: Fixture.raftAll, Fixture.Keying.allCases)
    func everyPayloadKind_roundTrips(fixture: Fixture, keying: Fixture.Keying) throws {
        let codec = try Fixture.codec(key: keying.key)
        let bodies = try frameBodies(codec.encode(fixture.message, to: Fixture.recipient))
        try #require(bodies.count == 1)
        #expect(try codec.decodeBody(bodies[0], receivedAt: Fixture.recipient) == fixture.message)
    }

    /// The switch is exhaustive, so a new payload kind fails to compile here until it has a
    /// fixture name, and the expectation fails until it has a fixture.
    @Test func fixtures_coverEveryPayloadKind() {
        func kind(_ payload: Raft.Message.Payload) -> String {
            switch payload {
            case .preVote: "preVote"
            case .preVoteResponse: "preVoteResponse"
            case .vote: "vote"
            case .voteResponse: "voteResponse"
            case .append: "append"
            case .appendResponse: "appendResponse"
            case .heartbeat: "heartbeat"
            case .heartbeatResponse: "heartbeatResponse"
            case .snapshot: "snapshot"
            case .timeoutNow: "timeoutNow"
            }
        }
        let covered = Set(Fixture.raftAll.compactMap { fixture -> String? in
            guard case let .raft(message) = fixture.message else { return nil }
            return kind(message.payload)
        })
        #expect(covered.count == 10)
    }

    /// Golden bytes pin the Raft wire format: a change here breaks mixed-version clusters.
    @Test func timeoutNow_encodesToGoldenBytes() throws {
        let message = Fixture.raft(.timeoutNow, term: 1, from: NodeID("a"), to: NodeID("b"))
        let golden: [UInt8] = [
            0x00, 0x00, 0x00, 0x10,  // length 16
            0x08, 0x01,  // version = 1
            0xA2, 0x01, 0x0B,  // raft (field 20), 11 bytes
            0x0A, 0x01, 0x61,  // from = "a"
            0x12, 0x01, 0x62,  // to = "b"
            0x18, 0x01,  // term = 1
            0x9A, 0x01, 0x00,  // timeout_now (field 19), empty
        ]
        let codec = try Fixture.codec(key: nil)
        #expect(try codec.encode(message, to: Fixture.recipient) == golden)
        #expect(try codec.decodeBody(Array(golden.dropFirst(4)), receivedAt: Fixture.recipient) == message)
    }

    /// Decoding repairs nothing silently: members are compared as `ConfState` sorts them.
    @Test func snapshotMembers_inAnyOrder_decodeToTheSortedConfState() throws {
        var frame = PeerFrame(Fixture.raft(.snapshot(Fixture.snapshot)))
        frame.raft.snapshot.metadata.confState.voters.reverse()
        let decoded = try Wire.PeerMessage(serializedBytes: frame.serializedBytes())
        #expect(decoded == Fixture.raft(.snapshot(Fixture.snapshot)))
    }
}
