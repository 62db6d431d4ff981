import Basics

extension RaftNode {
    /// Advances logical time by one tick: a leader heartbeats and checks its quorum, anyone
    /// else counts towards its randomized election timeout (Raft §5.2).
    package mutating func tick() {
        switch role {
        case .leader: tickLeader()
        case .follower, .preCandidate, .candidate: tickElection()
        }
    }

    private mutating func tickElection() {
        electionElapsed += 1
        if isPromotable && electionElapsed >= randomizedElectionTimeout {
            electionElapsed = 0
            campaign(transfer: false)
        }
    }

    private mutating func tickLeader() {
        heartbeatElapsed += 1
        electionElapsed += 1
        if electionElapsed >= settings.electionTicks {
            electionElapsed = 0
            if settings.checkQuorum {
                // Thesis §6.2: without a quorum for a whole election timeout, stop leading.
                guard hasActiveQuorum() else {
                    becomeFollower(term: term, leader: nil)
                    return
                }
            }
            // Thesis §3.10: a transfer that did not finish within an election timeout is
            // abandoned, so the leader accepts proposals again.
            leadTransferee = nil
        }
        tickSnapshotTimeouts()
        if heartbeatElapsed >= settings.heartbeatTicks {
            heartbeatElapsed = 0
            broadcastHeartbeat(readSequence: reads.latestSequence)
        }
    }

    /// Whether a quorum of voters was heard from since the last check; resets the marks.
    private mutating func hasActiveQuorum() -> Bool {
        var active: [NodeID: Bool] = [:]
        for voter in conf.voters {
            active[voter] = voter == id || progress[voter]?.recentActive == true
        }
        for peer in conf.members where peer != id {
            progress[peer]?.recentActive = false
        }
        return Raft.Majority.voteResult(voters: conf.voters, votes: active) == .won
    }

    /// Starts an election: a pre-vote round first when enabled (thesis §9.6), unless this is
    /// a leadership transfer, which goes straight to a real vote that overrides stickiness.
    mutating func campaign(transfer: Bool) {
        guard role != .leader, isPromotable else { return }
        if settings.preVote && !transfer {
            becomePreCandidate()
            requestVotes(preVote: true, transfer: false)
        } else {
            becomeCandidate()
            requestVotes(preVote: false, transfer: transfer)
        }
    }

    private mutating func requestVotes(preVote: Bool, transfer: Bool) {
        votes[id] = true
        if tallyVotes() { return }
        let request = Raft.Message.VoteRequest(lastIndex: log.lastIndex, lastTerm: log.lastTerm, leadershipTransfer: transfer)
        let electionTerm = preVote ? term + 1 : term
        for voter in conf.voters where voter != id {
            send(preVote ? .preVote(request) : .vote(request), to: voter, term: electionTerm)
        }
    }

    /// Records one (pre-)vote response and acts on the outcome.
    mutating func poll(_ from: NodeID, granted: Bool) {
        if votes[from] == nil { votes[from] = granted }
        _ = tallyVotes()
    }

    /// - Returns: whether the election ended.
    private mutating func tallyVotes() -> Bool {
        switch Raft.Majority.voteResult(voters: conf.voters, votes: votes) {
        case .won:
            if role == .preCandidate {
                becomeCandidate()
                requestVotes(preVote: false, transfer: false)
            } else {
                becomeLeader()
                broadcastAppend()
            }
            return true
        case .lost:
            becomeFollower(term: term, leader: nil)
            return true
        case .pending:
            return false
        }
    }
}
