import Basics

extension Raft {
    /// One slot of the replicated log (Raft Figure 2, "log[]").
    package struct Entry: Hashable, Sendable, CustomStringConvertible {
        /// What an entry means to Raft itself; the application only sees `data` of `.normal`.
        package enum Kind: UInt8, Hashable, Sendable {
            /// An application command.
            case normal
            /// An encoded ``Raft/ConfChange``, applied to the configuration when applied.
            case confChange
            /// The entry a new leader appends so that its term has something to commit
            /// (Raft §5.4.2, §8).
            case noop
        }

        package var term: UInt64
        package var index: UInt64
        package var kind: Kind
        package var data: [UInt8]

        package init(term: UInt64, index: UInt64, kind: Kind = .normal, data: [UInt8] = []) {
            self.term = term
            self.index = index
            self.kind = kind
            self.data = data
        }

        package var description: String { "\(index)/\(term)\(kind == .normal ? "" : ":\(kind)")" }
    }

    /// What a node MUST persist before it answers anyone (Raft Figure 2, "persistent state"),
    /// plus the commit index so that a restart does not forget what it already knew committed.
    package struct HardState: Hashable, Sendable {
        package var term: UInt64
        package var vote: NodeID?
        package var commit: UInt64

        package init(term: UInt64 = 0, vote: NodeID? = nil, commit: UInt64 = 0) {
            self.term = term
            self.vote = vote
            self.commit = commit
        }

        /// Whether writing `self` over `previous` must reach the disk before the node answers
        /// anyone (etcd's `MustSync`): a new term or vote must; a commit index alone need not,
        /// because a node that forgets it after a power loss learns it again from the leader.
        package func mustSync(over previous: HardState) -> Bool {
            term != previous.term || vote != previous.vote
        }
    }

    /// A read the leader has confirmed (thesis §6.4): once the application has applied up to
    /// `index`, it may answer the read identified by `context` linearizably.
    package struct ReadState: Hashable, Sendable {
        package var index: UInt64
        package var context: [UInt8]

        package init(index: UInt64, context: [UInt8]) {
            self.index = index
            self.context = context
        }
    }
}
