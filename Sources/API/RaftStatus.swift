import Hummingbird

/// `GET /ordinal/v1/raft`: this agent's view of consensus.
package struct RaftStatus: ResponseCodable, Sendable, Equatable {
    package var node: String
    /// follower, preCandidate, candidate or leader.
    package var role: String
    package var term: UInt64
    package var leader: String?
    /// The leader's API address, from gossip, where writes are forwarded.
    package var leaderAPI: String?
    package var commitIndex: UInt64
    package var appliedIndex: UInt64
    package var lastIndex: UInt64
    /// The index of the latest snapshot: the log holds the entries after it.
    package var snapshotIndex: UInt64
    package var voters: [String]
    package var learners: [String]
    /// On the leader: the highest log index known replicated on each other member.
    package var progress: [String: UInt64]?
    /// The log format every member reads, as applied here (etcd's cluster version).
    package var clusterVersion: UInt32?

    package init(
        node: String, role: String, term: UInt64, leader: String?, leaderAPI: String?,
        commitIndex: UInt64, appliedIndex: UInt64, lastIndex: UInt64, snapshotIndex: UInt64 = 0, voters: [String], learners: [String]
    ) {
        self.node = node
        self.role = role
        self.term = term
        self.leader = leader
        self.leaderAPI = leaderAPI
        self.commitIndex = commitIndex
        self.appliedIndex = appliedIndex
        self.lastIndex = lastIndex
        self.snapshotIndex = snapshotIndex
        self.voters = voters
        self.learners = learners
    }
}
