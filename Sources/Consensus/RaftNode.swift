import Basics

/// One Raft participant as a value: feed it ``tick()``, ``step(_:)`` and client requests,
/// drain ``ready()`` and confirm with ``advance(_:)``. Copying a node copies its future,
/// random election timeouts included.
package struct RaftNode: Sendable {
    package enum Role: String, Hashable, Sendable {
        case follower, preCandidate, candidate, leader
    }

    package let id: NodeID
    package let settings: Raft.Settings
    var rng: SplitMix64

    package internal(set) var role: Role = .follower
    package internal(set) var term: UInt64
    package internal(set) var vote: NodeID?
    /// The leader of `term` as far as this node knows.
    package internal(set) var leader: NodeID?
    package internal(set) var conf: Raft.ConfState
    /// The target of a leadership transfer in progress (leader only).
    package internal(set) var leadTransferee: NodeID?

    var log: RaftLog
    var progress: [NodeID: Progress] = [:]
    var votes: [NodeID: Bool] = [:]
    var electionElapsed = 0
    var heartbeatElapsed = 0
    var randomizedElectionTimeout = 0
    /// The index of the last configuration change appended; no new change is accepted
    /// until it is applied (thesis §4.1).
    var pendingConfIndex: UInt64 = 0
    var reads = ReadIndexQueue()

    var outboxNow: [Raft.Message] = []
    var outboxAfterPersist: [Raft.Message] = []
    var readStates: [Raft.ReadState] = []
    var lastReadyHardState: Raft.HardState

    /// Loads a node from its durable state: the hard state, the snapshot and the log after
    /// it. The configuration is the snapshot's; committed configuration changes after it
    /// take effect as the application re-applies them from the first ``Raft/Ready``.
    /// - Parameter seed: drives the election timeout jitter; give every node its own.
    /// - Throws: ``Raft/StartError`` for unusable settings or unreadable storage.
    package init(id: NodeID, storage: some RaftStorage, settings: Raft.Settings = Raft.Settings(), seed: UInt64) throws(Raft.StartError) {
        do {
            try settings.validate()
        } catch {
            throw .invalidSettings(error)
        }
        let loaded: (hs: Raft.HardState, snapshot: Raft.Snapshot, entries: [Raft.Entry])
        do {
            let (hs, _) = try storage.initialState()
            let snapshot = try storage.snapshot()
            let entries = try storage.entries(in: storage.firstIndex ..< storage.lastIndex + 1)
            loaded = (hs, snapshot, entries)
        } catch {
            throw .storage(error)
        }
        self.id = id
        self.settings = settings
        self.rng = SplitMix64(seed: seed)
        self.term = loaded.hs.term
        self.vote = loaded.hs.vote
        self.conf = loaded.snapshot.metadata.confState
        self.log = RaftLog(snapshot: loaded.snapshot, entries: loaded.entries, committed: loaded.hs.commit)
        self.lastReadyHardState = loaded.hs
        resetRandomizedElectionTimeout()
    }

    // MARK: Status

    package var commitIndex: UInt64 { log.committed }
    package var appliedIndex: UInt64 { log.applied }
    package var voters: [NodeID] { conf.voters }
    package var learners: [NodeID] { conf.learners }
    package var isLearner: Bool { conf.isLearner(id) }
    package var firstIndex: UInt64 { log.firstIndex }
    package var lastIndex: UInt64 { log.lastIndex }
    package var snapshotIndex: UInt64 { log.snapshot.index }
    package var hardState: Raft.HardState { Raft.HardState(term: term, vote: vote, commit: log.committed) }
    /// The term of the entry at `index`, if held (including the snapshot's index).
    package func term(at index: UInt64) -> UInt64? { log.term(at: index) }
    /// The entries held in `lo ... hi`.
    package func entries(_ lo: UInt64, _ hi: UInt64) -> [Raft.Entry] { Array(log.slice(lo, hi)) }
    /// The leader's view of a follower's match index.
    package func matchIndex(of peer: NodeID) -> UInt64? { progress[peer]?.match }

    /// On the leader: members whose log is shorter than what they acknowledged (an agent
    /// that came back with an empty disk under its old name). They must be removed from the
    /// configuration and added again as learners, which resets what the leader expects.
    package var membersThatLostTheirLog: [NodeID] {
        progress.filter { $0.value.lostLog && $0.key != id }.map(\.key).sorted()
    }

    /// Voters, and not waiting to apply a configuration change or snapshot that may say
    /// otherwise (etcd's `promotable` plus its pending-conf check).
    var isPromotable: Bool {
        guard conf.isVoter(id), !log.snapshotIsPending else { return false }
        return !log.slice(log.applied + 1, log.committed).contains { $0.kind == .confChange }
    }

    // MARK: Role changes (Raft Figure 2, "Rules for Servers")

    mutating func reset(term newTerm: UInt64) {
        if newTerm != term {
            term = newTerm
            vote = nil
        }
        leader = nil
        electionElapsed = 0
        heartbeatElapsed = 0
        resetRandomizedElectionTimeout()
        leadTransferee = nil
        votes = [:]
        progress = [:]
        reads = ReadIndexQueue()
    }

    mutating func resetRandomizedElectionTimeout() {
        let e = settings.electionTicks
        randomizedElectionTimeout = e + Int.random(in: 0 ..< e, using: &rng)
    }

    mutating func becomeFollower(term newTerm: UInt64, leader newLeader: NodeID?) {
        reset(term: newTerm)
        leader = newLeader
        role = .follower
    }

    mutating func becomePreCandidate() {
        precondition(role != .leader, "\(id): leader cannot become pre-candidate in term \(term)")
        votes = [:]
        leader = nil
        role = .preCandidate
    }

    mutating func becomeCandidate() {
        precondition(role != .leader, "\(id): leader cannot become candidate in term \(term)")
        reset(term: term + 1)
        vote = id
        role = .candidate
    }

    /// Takes office: fresh progress for every member and a no-op entry of this term, the
    /// only way to commit earlier terms' entries (Raft §5.4.2, §8).
    mutating func becomeLeader() {
        precondition(role != .follower, "\(id): follower cannot become leader in term \(term)")
        reset(term: term)
        leader = id
        role = .leader
        for member in conf.members {
            var pr = Progress(next: log.lastIndex + 1, maxInflight: settings.maxInflightMessages)
            if member == id {
                pr.match = log.stableIndex
                pr.recentActive = true
                pr.becomeReplicate()
            }
            progress[member] = pr
        }
        pendingConfIndex = log.lastIndex
        appendEntries([Raft.Entry(term: term, index: 0, kind: .noop)])
    }

    /// Sends `payload` to `to` in this node's term.
    mutating func send(_ payload: Raft.Message.Payload, to: NodeID, term messageTerm: UInt64? = nil) {
        let message = Raft.Message(from: id, to: to, term: messageTerm ?? term, payload: payload)
        switch payload {
        case .preVote, .vote, .preVoteResponse, .voteResponse, .appendResponse, .heartbeatResponse:
            outboxAfterPersist.append(message)
        case .append, .heartbeat, .snapshot, .timeoutNow:
            outboxNow.append(message)
        }
    }
}
