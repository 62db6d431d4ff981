import Basics

extension Raft {
    /// The outcome of an election, as far as the votes received tell.
    package enum VoteResult: Hashable, Sendable {
        case pending
        case lost
        case won
    }

    /// Majority-quorum arithmetic over one configuration (Raft §5.2, §5.4.2). A configuration
    /// without voters has no quorum: it commits nothing and wins no election.
    package enum Majority {
        /// `n / 2 + 1`.
        package static func quorum(of count: Int) -> Int { count / 2 + 1 }

        /// The largest index that a quorum of `voters` has matched.
        package static func committedIndex(voters: [NodeID], match: (NodeID) -> UInt64) -> UInt64 {
            guard !voters.isEmpty else { return 0 }
            let sorted = voters.map(match).sorted(by: >)
            return sorted[quorum(of: voters.count) - 1]
        }

        /// Votes from nodes outside `voters` (learners, strangers) are not counted.
        package static func voteResult(voters: [NodeID], votes: [NodeID: Bool]) -> VoteResult {
            guard !voters.isEmpty else { return .lost }
            var granted = 0
            var missing = 0
            for voter in voters {
                switch votes[voter] {
                case true?: granted += 1
                case false?: break
                case nil: missing += 1
                }
            }
            let q = quorum(of: voters.count)
            if granted >= q { return .won }
            return granted + missing >= q ? .pending : .lost
        }
    }
}
