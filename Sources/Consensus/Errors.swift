import Basics

extension Raft {
    /// Why ``RaftNode/step(_:)`` refused a message. A refused message changes nothing.
    package enum StepError: Error, Hashable, Sendable {
        /// The message is addressed to another node.
        case wrongRecipient(NodeID)
        /// The message violates the protocol's shape (for example non-contiguous entries).
        case malformed(String)
    }

    /// Why a client request (proposal, configuration change, transfer, read) was refused.
    package enum ProposalError: Error, Hashable, Sendable {
        /// Only the leader accepts requests; `leaderHint` is the leader this node knows of.
        case notLeader(leaderHint: NodeID?)
        /// A leadership transfer is in progress (thesis §3.10 stops new proposals meanwhile).
        case transferring(to: NodeID)
        /// The previous configuration change is not applied yet (thesis §4.1: one at a time).
        case confChangePending(index: UInt64)
        /// The change is not a valid single-server step from the current configuration.
        case invalidConfChange(String)
        /// Leadership can only move to a voter.
        case invalidTransferTarget(NodeID)
    }

    /// Why storage could not serve or accept a request.
    package enum StorageError: Error, Hashable, Sendable {
        /// The index lies in the compacted prefix.
        case compacted(UInt64)
        /// The index lies beyond the last entry.
        case unavailable(UInt64)
        /// A snapshot older than the one held.
        case snapshotOutOfDate(UInt64)
        /// Entries that would leave a hole in the log.
        case gap(expected: UInt64, got: UInt64)
        /// A failure of the backing store (disk, database).
        case io(String)
    }

    /// Why a ``RaftNode`` could not start.
    package enum StartError: Error, Hashable, Sendable {
        case invalidSettings(Settings.ValidationError)
        case storage(StorageError)
    }
}
