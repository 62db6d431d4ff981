import Basics
import Consensus
import SwiftProtobuf
import Wire
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// InstallSnapshot payloads (thesis §5.1), both ways. The rules are listed in
// `Raft+ProtobufDecoding.swift`; a snapshot replaces the receiver's log and configuration,
// so everything it carries is checked.

extension Ordinal_Wire_V1_RaftSnapshot {
    init(_ snapshot: Raft.Snapshot) {
        self.init()
        metadata = .with {
            $0.index = snapshot.metadata.index
            $0.term = snapshot.metadata.term
            $0.confState = .with {
                $0.voters = snapshot.metadata.confState.voters.map(\.name)
                $0.learners = snapshot.metadata.confState.learners.map(\.name)
            }
        }
        data = Data(snapshot.data)
    }
}

extension Raft.Snapshot {
    init(_ proto: Ordinal_Wire_V1_RaftSnapshot, messageTerm: UInt64, path: @autoclosure () -> String) throws(Wire.DecodeError) {
        guard proto.hasMetadata else { throw .invalidField(path: "\(path()).metadata", reason: "missing") }
        let metadata = try Raft.SnapshotMetadata(proto.metadata, messageTerm: messageTerm, path: "\(path()).metadata")
        self.init(metadata: metadata, data: Array(proto.data))
    }
}

extension Raft.SnapshotMetadata {
    init(_ proto: Ordinal_Wire_V1_RaftSnapshotMetadata, messageTerm: UInt64, path: @autoclosure () -> String) throws(Wire.DecodeError) {
        guard proto.index > 0 else { throw .invalidField(path: "\(path()).index", reason: "zero") }
        let index = try Raft.bounded(proto.index, path: "\(path()).index")
        let term = try Raft.term(proto.term, path: "\(path()).term")
        guard term <= messageTerm else {
            throw .invalidField(path: "\(path()).term", reason: "\(term) is above the message term \(messageTerm)")
        }
        guard proto.hasConfState else { throw .invalidField(path: "\(path()).conf_state", reason: "missing") }
        let confState = try Raft.ConfState(proto.confState, path: "\(path()).conf_state")
        self.init(index: index, term: term, confState: confState)
    }
}

extension Raft.ConfState {
    init(_ proto: Ordinal_Wire_V1_RaftConfState, path: @autoclosure () -> String) throws(Wire.DecodeError) {
        guard !proto.voters.isEmpty else { throw .invalidField(path: "\(path()).voters", reason: "empty") }
        var seen: Set<NodeID> = []
        let voters = try Self.ids(proto.voters, path: "\(path()).voters", seen: &seen)
        let learners = try Self.ids(proto.learners, path: "\(path()).learners", seen: &seen)
        self.init(voters: voters, learners: learners)
    }

    /// Non-empty names, none already in `seen` (which collects them).
    private static func ids(
        _ names: [String], path: @autoclosure () -> String, seen: inout Set<NodeID>
    ) throws(Wire.DecodeError) -> [NodeID] {
        var ids: [NodeID] = []
        ids.reserveCapacity(names.count)
        for (offset, name) in names.enumerated() {
            let id = try NodeID(name, path: "\(path())[\(offset)]")
            guard seen.insert(id).inserted else {
                throw .invalidField(path: "\(path())[\(offset)]", reason: "duplicate member")
            }
            ids.append(id)
        }
        return ids
    }
}
