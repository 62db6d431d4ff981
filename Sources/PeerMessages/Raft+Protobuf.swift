import Basics
import Consensus
import SwiftProtobuf
import Wire
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// Encoding of the Raft domain types into their generated protobuf counterparts. Encoding is
// total: cores only produce valid values. Decoding, which validates, is in
// `Raft+ProtobufDecoding.swift`; snapshots, both ways, in `Raft+SnapshotProtobuf.swift`.

extension Ordinal_Wire_V1_RaftMessage {
    init(_ message: Raft.Message) {
        self.init()
        from = message.from.name
        to = message.to.name
        term = message.term
        switch message.payload {
        case let .preVote(request):
            preVote = Ordinal_Wire_V1_RaftVoteRequest(request)
        case let .preVoteResponse(granted):
            preVoteResponse = .with { $0.granted = granted }
        case let .vote(request):
            vote = Ordinal_Wire_V1_RaftVoteRequest(request)
        case let .voteResponse(granted):
            voteResponse = .with { $0.granted = granted }
        case let .append(append):
            self.append = .with {
                $0.prevIndex = append.prevIndex
                $0.prevTerm = append.prevTerm
                $0.entries = append.entries.map(Ordinal_Wire_V1_RaftEntry.init)
                $0.commit = append.commit
            }
        case let .appendResponse(response):
            appendResponse = .with {
                $0.index = response.index
                if let rejection = response.rejection {
                    $0.rejection = .with {
                        $0.hintIndex = rejection.hintIndex
                        $0.hintTerm = rejection.hintTerm
                    }
                }
            }
        case let .heartbeat(heartbeat):
            self.heartbeat = .with {
                $0.commit = heartbeat.commit
                $0.readSequence = heartbeat.readSequence
            }
        case let .heartbeatResponse(response):
            heartbeatResponse = .with { $0.readSequence = response.readSequence }
        case let .snapshot(snapshot):
            self.snapshot = Ordinal_Wire_V1_RaftSnapshot(snapshot)
        case .timeoutNow:
            timeoutNow = Ordinal_Wire_V1_RaftTimeoutNow()
        }
    }
}

extension Ordinal_Wire_V1_RaftVoteRequest {
    init(_ request: Raft.Message.VoteRequest) {
        self.init()
        lastIndex = request.lastIndex
        lastTerm = request.lastTerm
        leadershipTransfer = request.leadershipTransfer
    }
}

extension Ordinal_Wire_V1_RaftEntry {
    init(_ entry: Raft.Entry) {
        self.init()
        term = entry.term
        index = entry.index
        kind = Ordinal_Wire_V1_RaftEntryKind(entry.kind)
        data = Data(entry.data)
    }
}

extension Ordinal_Wire_V1_RaftEntryKind {
    init(_ kind: Raft.Entry.Kind) {
        self = switch kind {
        case .normal: .normal
        case .confChange: .confChange
        case .noop: .noop
        }
    }
}
