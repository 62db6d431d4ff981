import Basics
import Consensus
import Testing
@testable import PeerMessages
@testable import Wire

/// Each case starts from a valid Raft message and breaks one field, so a test failure
/// points at exactly one validation rule (listed in `Raft+ProtobufDecoding.swift`).
struct RaftInvalidCase: Sendable, CustomTestStringConvertible {
    let name: String
    let base: Base
    let expected: Wire.DecodeError
    let breakIt: @Sendable (inout Ordinal_Wire_V1_RaftMessage) -> Void

    var testDescription: String { name }

    enum Base: Sendable {
        /// term 3, prev 4/2, entries 5/2, 6/3, 7/3.
        case append
        case appendResponse, vote, heartbeat
        /// term 3, index 42/3, voters n1 n2 n3, learner n4.
        case snapshot

        var message: Wire.PeerMessage {
            switch self {
            case .append: Fixture.raft(.append(.init(prevIndex: 4, prevTerm: 2, entries: Fixture.entries, commit: 5)))
            case .appendResponse: Fixture.raft(.appendResponse(.init(index: 9, rejection: .init(hintIndex: 6, hintTerm: 2))))
            case .vote: Fixture.raft(.vote(.init(lastIndex: 7, lastTerm: 3)))
            case .heartbeat: Fixture.raft(.heartbeat(.init(commit: 7, readSequence: 1)))
            case .snapshot: Fixture.raft(.snapshot(Fixture.snapshot))
            }
        }
    }

    init(_ name: String, _ base: Base, _ expected: Wire.DecodeError, breakIt: @escaping @Sendable (inout Ordinal_Wire_V1_RaftMessage) -> Void) {
        self.name = name
        self.base = base
        self.expected = expected
        self.breakIt = breakIt
    }

    /// A case on the ``Base/append`` message.
    init(_ name: String, _ expected: Wire.DecodeError, breakIt: @escaping @Sendable (inout Ordinal_Wire_V1_RaftMessage) -> Void) {
        self.init(name, .append, expected, breakIt: breakIt)
    }

    static func invalid(_ path: String, _ reason: String) -> Wire.DecodeError {
        .invalidField(path: "raft.\(path)", reason: reason)
    }

    static let max = "18446744073709551615 is above 4611686018427387904"
    static let tooLarge = Wire.maxRaftIndex + 1

    static let all: [RaftInvalidCase] = [
        .init("empty from", invalid("from", "empty name")) { $0.from = "" },
        .init("empty to", invalid("to", "empty name")) { $0.to = "" },
        .init("to self", invalid("to", "same as from")) { $0.to = $0.from },
        .init("term 0", invalid("term", "zero")) { $0.term = 0 },
        .init("term max", invalid("term", max)) { $0.term = .max },
        .init("term 2^62+1", invalid("term", "4611686018427387905 is above 4611686018427387904")) { $0.term = tooLarge },
        // The forged term that wedged a cluster: adopted, it could not be counted up and stored.
        .init("term 2^63-1", invalid("term", "9223372036854775807 is above 4611686018427387904")) { $0.term = UInt64(Int64.max) },
        .init("no payload", .missingBody(path: "raft.payload")) { $0.payload = nil },
        // Append.
        .init("prev index max", invalid("append.prev_index", max)) { $0.append.prevIndex = .max },
        .init("prev term max", invalid("append.prev_term", max)) { $0.append.prevTerm = .max },
        .init("commit max", invalid("append.commit", max)) { $0.append.commit = .max },
        .init("entry at prev index", invalid("append.entries[0].index", "4, expected 5")) { $0.append.entries[0].index = 4 },
        .init("entry index gap", invalid("append.entries[1].index", "7, expected 6")) { $0.append.entries[1].index = 7 },
        .init("entries out of order", invalid("append.entries[0].index", "6, expected 5")) { $0.append.entries.swapAt(0, 1) },
        .init("entry index 2^62+1", invalid("append.entries[0].index", "4611686018427387905 is above 4611686018427387904")) {
            $0.append.prevIndex = Wire.maxRaftIndex
            $0.append.entries = [$0.append.entries[2]]
            $0.append.entries[0].index = tooLarge
        },
        .init("entry term 0", invalid("append.entries[0].term", "zero")) { $0.append.entries[0].term = 0 },
        .init("entry term below prev term", invalid("append.entries[0].term", "1 is outside 2...3")) {
            $0.append.entries[0].term = 1
        },
        .init("entry term decreasing", invalid("append.entries[2].term", "2 is outside 3...3")) {
            $0.append.entries[2].term = 2
        },
        .init("entry term above message term", invalid("append.entries[2].term", "4 is outside 3...3")) {
            $0.append.entries[2].term = 4
        },
        .init("entry kind unspecified", invalid("append.entries[1].kind", "unspecified")) {
            $0.append.entries[1].kind = .unspecified
        },
        .init("entry kind unknown", invalid("append.entries[2].kind", "unknown value 7")) {
            $0.append.entries[2].kind = .UNRECOGNIZED(7)
        },
        // Other payloads.
        .init("append response index max", .appendResponse, invalid("append_response.index", max)) {
            $0.appendResponse.index = .max
        },
        .init("rejection hint index max", .appendResponse, invalid("append_response.rejection.hint_index", max)) {
            $0.appendResponse.rejection.hintIndex = .max
        },
        .init("rejection hint term max", .appendResponse, invalid("append_response.rejection.hint_term", max)) {
            $0.appendResponse.rejection.hintTerm = .max
        },
        .init("vote last index max", .vote, invalid("vote.last_index", max)) { $0.vote.lastIndex = .max },
        .init("pre-vote last term max", .vote, invalid("pre_vote.last_term", max)) {
            $0.preVote = .with { $0.lastTerm = .max }
        },
        .init("heartbeat commit max", .heartbeat, invalid("heartbeat.commit", max)) { $0.heartbeat.commit = .max },
        .init("snapshot without metadata", .snapshot, invalid("snapshot.metadata", "missing")) {
            $0.snapshot.clearMetadata()
        },
        .init("snapshot index 0", .snapshot, invalid("snapshot.metadata.index", "zero")) { $0.snapshot.metadata.index = 0 },
        .init("snapshot index max", .snapshot, invalid("snapshot.metadata.index", max)) { $0.snapshot.metadata.index = .max },
        .init("snapshot term 0", .snapshot, invalid("snapshot.metadata.term", "zero")) { $0.snapshot.metadata.term = 0 },
        .init("snapshot term above message term", .snapshot, invalid("snapshot.metadata.term", "4 is above the message term 3")) {
            $0.snapshot.metadata.term = 4
        },
        .init("snapshot without conf state", .snapshot, invalid("snapshot.metadata.conf_state", "missing")) {
            $0.snapshot.metadata.clearConfState()
        },
        .init("snapshot without voters", .snapshot, invalid("snapshot.metadata.conf_state.voters", "empty")) {
            $0.snapshot.metadata.confState.voters = []
        },
        .init("snapshot empty voter", .snapshot, invalid("snapshot.metadata.conf_state.voters[1]", "empty name")) {
            $0.snapshot.metadata.confState.voters[1] = ""
        },
        .init("snapshot duplicate voter", .snapshot, invalid("snapshot.metadata.conf_state.voters[2]", "duplicate member")) {
            $0.snapshot.metadata.confState.voters[2] = "n1"
        },
        .init("snapshot empty learner", .snapshot, invalid("snapshot.metadata.conf_state.learners[0]", "empty name")) {
            $0.snapshot.metadata.confState.learners[0] = ""
        },
        .init("snapshot learner is a voter", .snapshot, invalid("snapshot.metadata.conf_state.learners[1]", "duplicate member")) {
            $0.snapshot.metadata.confState.learners.append("n2")
        },
    ]
}

@Suite struct RaftValidationTests {
    @Test(arguments: [RaftInvalidCase.Base.append, .appendResponse, .vote, .heartbeat, .snapshot])
    func validBase_decodes(base: RaftInvalidCase.Base) throws {
        let bytes = try base.message.serializedBytes()
        #expect(try Wire.PeerMessage(serializedBytes: bytes) == base.message)
    }

    @Test(arguments: RaftInvalidCase.all)
    func invalidField_isRejectedWithPathAndReason(_ invalid: RaftInvalidCase) throws {
        var frame = PeerFrame(invalid.base.message)
        invalid.breakIt(&frame.raft)
        let bytes: [UInt8] = try frame.serializedBytes()
        #expect(throws: invalid.expected) { try Fixture.codec(key: nil).decodeBody(bytes, receivedAt: Fixture.recipient) }
        let sealed = try Fixture.seal(bytes, sender: frame.raft.from)
        #expect(throws: invalid.expected) { try Fixture.codec(key: Fixture.keyA).decodeBody(sealed, receivedAt: Fixture.recipient) }
    }
}
