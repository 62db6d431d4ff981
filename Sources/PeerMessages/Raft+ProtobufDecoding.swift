import AgentCore
import Basics
import Consensus
import SwiftProtobuf
import Wire

// Validating decoding of Raft messages; see `PeerMessage+Protobuf.swift` for the contract.
// Beyond "is it well-formed protobuf", a decoded `Raft.Message` is guaranteed to satisfy
// everything `RaftNode.step` assumes, so no hostile peer can make the core trap:
//
// - `from` and `to` are non-empty and differ; `term` is not 0.
// - No term or log index exceeds 2^62 (`Wire.maxRaftIndex`): the core computes
//   `term + 1` and `index + 1`, and a node that adopted a term near `UInt64.max` would trap
//   on its next election or two. Below 2^63 no real cluster can get there, differences fit
//   an `Int`, and a signed 64-bit store (SQLite INTEGER) holds values as they are.
// - Append: entries are consecutive from `prev_index + 1`, their terms are non-zero,
//   non-decreasing from `prev_term` and at most the message term; kinds are known.
// - Snapshot: metadata and conf state are present; index and term are non-zero, the term is
//   at most the message term; there is at least one voter; ids are non-empty, unique, and
//   no node is both voter and learner (`ConfState` would otherwise silently repair it).
// Counters that the core only compares (`read_sequence`) are taken as they are.

extension Raft.Message {
    init(_ proto: Ordinal_Wire_V1_RaftMessage, path: @autoclosure () -> String) throws(Wire.DecodeError) {
        let from = try NodeID(proto.from, path: "\(path()).from")
        let to = try NodeID(proto.to, path: "\(path()).to")
        guard from != to else { throw .invalidField(path: "\(path()).to", reason: "same as from") }
        let term = try Raft.term(proto.term, path: "\(path()).term")
        let payload: Payload
        switch proto.payload {
        case let .preVote(request)?:
            payload = .preVote(try VoteRequest(request, path: "\(path()).pre_vote"))
        case let .preVoteResponse(response)?:
            payload = .preVoteResponse(granted: response.granted)
        case let .vote(request)?:
            payload = .vote(try VoteRequest(request, path: "\(path()).vote"))
        case let .voteResponse(response)?:
            payload = .voteResponse(granted: response.granted)
        case let .append(append)?:
            payload = .append(try Append(append, messageTerm: term, path: "\(path()).append"))
        case let .appendResponse(response)?:
            payload = .appendResponse(try AppendResponse(response, path: "\(path()).append_response"))
        case let .heartbeat(heartbeat)?:
            let commit = try Raft.bounded(heartbeat.commit, path: "\(path()).heartbeat.commit")
            payload = .heartbeat(Heartbeat(commit: commit, readSequence: heartbeat.readSequence))
        case let .heartbeatResponse(response)?:
            payload = .heartbeatResponse(HeartbeatResponse(readSequence: response.readSequence))
        case let .snapshot(snapshot)?:
            payload = .snapshot(try Raft.Snapshot(snapshot, messageTerm: term, path: "\(path()).snapshot"))
        case .timeoutNow?:
            payload = .timeoutNow
        case nil:
            throw .missingBody(path: "\(path()).payload")
        }
        self.init(from: from, to: to, term: term, payload: payload)
    }
}

extension Raft.Message.VoteRequest {
    init(_ proto: Ordinal_Wire_V1_RaftVoteRequest, path: @autoclosure () -> String) throws(Wire.DecodeError) {
        self.init(
            lastIndex: try Raft.bounded(proto.lastIndex, path: "\(path()).last_index"),
            lastTerm: try Raft.bounded(proto.lastTerm, path: "\(path()).last_term"),
            leadershipTransfer: proto.leadershipTransfer
        )
    }
}

extension Raft.Message.Append {
    init(_ proto: Ordinal_Wire_V1_RaftAppend, messageTerm: UInt64, path: @autoclosure () -> String) throws(Wire.DecodeError) {
        let prevIndex = try Raft.bounded(proto.prevIndex, path: "\(path()).prev_index")
        let prevTerm = try Raft.bounded(proto.prevTerm, path: "\(path()).prev_term")
        let commit = try Raft.bounded(proto.commit, path: "\(path()).commit")
        var entries: [Raft.Entry] = []
        entries.reserveCapacity(proto.entries.count)
        var expectedIndex = prevIndex + 1  // prevIndex <= Int64.max
        var lastTerm = prevTerm
        for (offset, entryProto) in proto.entries.enumerated() {
            func entryPath() -> String { "\(path()).entries[\(offset)]" }
            let entry = try Raft.Entry(entryProto, path: entryPath())
            guard entry.index == expectedIndex else {
                throw .invalidField(path: "\(entryPath()).index", reason: "\(entry.index), expected \(expectedIndex)")
            }
            guard entry.term >= lastTerm, entry.term <= messageTerm else {
                throw .invalidField(path: "\(entryPath()).term", reason: "\(entry.term) is outside \(lastTerm)...\(messageTerm)")
            }
            entries.append(entry)
            expectedIndex = entry.index + 1  // entry.index <= Int64.max
            lastTerm = entry.term
        }
        self.init(prevIndex: prevIndex, prevTerm: prevTerm, entries: entries, commit: commit)
    }
}

extension Raft.Entry {
    init(_ proto: Ordinal_Wire_V1_RaftEntry, path: @autoclosure () -> String) throws(Wire.DecodeError) {
        let term = try Raft.term(proto.term, path: "\(path()).term")
        let index = try Raft.bounded(proto.index, path: "\(path()).index")
        let kind: Kind
        switch proto.kind {
        case .normal: kind = .normal
        case .confChange: kind = .confChange
        case .noop: kind = .noop
        case .unspecified: throw .invalidField(path: "\(path()).kind", reason: "unspecified")
        case let .UNRECOGNIZED(value): throw .invalidField(path: "\(path()).kind", reason: "unknown value \(value)")
        }
        self.init(term: term, index: index, kind: kind, data: Array(proto.data))
    }
}

extension Raft.Message.AppendResponse {
    init(_ proto: Ordinal_Wire_V1_RaftAppendResponse, path: @autoclosure () -> String) throws(Wire.DecodeError) {
        let index = try Raft.bounded(proto.index, path: "\(path()).index")
        var rejection: Raft.Message.Rejection?
        if proto.hasRejection {
            rejection = Raft.Message.Rejection(
                hintIndex: try Raft.bounded(proto.rejection.hintIndex, path: "\(path()).rejection.hint_index"),
                hintTerm: try Raft.bounded(proto.rejection.hintTerm, path: "\(path()).rejection.hint_term")
            )
        }
        self.init(index: index, rejection: rejection)
    }
}

extension Wire {
    /// The largest Raft term or log index a peer may send: 2⁶², far above anything a
    /// cluster reaches, and far enough below `Int64.max` (what SQLite stores) that a node
    /// which adopted it can still count up. A forged term of 2⁶³−1 used to make every agent
    /// adopt it and fail to persist the next one, so the cluster never elected again.
    package static let maxRaftIndex: UInt64 = 1 << 62
}

extension Raft {
    /// A log index or a term in `0...Wire.maxRaftIndex`.
    static func bounded(_ value: UInt64, path: @autoclosure () -> String) throws(Wire.DecodeError) -> UInt64 {
        guard value <= Wire.maxRaftIndex else {
            throw .invalidField(path: path(), reason: "\(value) is above \(Wire.maxRaftIndex)")
        }
        return value
    }

    /// A term of a message or an entry: `1...Wire.maxRaftIndex`.
    static func term(_ value: UInt64, path: @autoclosure () -> String) throws(Wire.DecodeError) -> UInt64 {
        guard value > 0 else { throw .invalidField(path: path(), reason: "zero") }
        return try bounded(value, path: path())
    }
}

extension Wire.MessageKinds where M == CorePeerMessage {
    /// Raft's messages travel in one kind.
    mutating func registerRaft() {
        register(.raft, as: Ordinal_Wire_V1_RaftMessage.self) { proto, path throws(Wire.DecodeError) in
            .raft(try Raft.Message(proto, path: path))
        }
    }
}
