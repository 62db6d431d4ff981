import Basics

extension RaftNode {
    /// Handles one message from a peer: first the term rules common to every message
    /// (Raft Figure 2, "All Servers"; thesis §9.6 and §6.2 for pre-votes and stickiness),
    /// then the role's own rules.
    /// - Throws: ``Raft/StepError`` for a message not meant for this node or malformed; such
    ///   a message changes nothing.
    package mutating func step(_ m: Raft.Message) throws(Raft.StepError) {
        try validate(m)
        if m.term > term {
            switch m.payload {
            case .preVote(let request), .vote(let request):
                // Stickiness: a voter that heard from a leader within the minimum election
                // timeout ignores would-be disruptors, unless the leader itself asked.
                let inLease = settings.checkQuorum && leader != nil && electionElapsed < settings.electionTicks
                if inLease && !request.leadershipTransfer { return }
            case .preVoteResponse, .voteResponse, .append, .appendResponse, .heartbeat,
                 .heartbeatResponse, .snapshot, .timeoutNow:
                break
            }
            switch m.payload {
            case .preVote, .preVoteResponse(granted: true):
                break  // a pre-vote's term is hypothetical: adopt nothing
            case .append, .heartbeat, .snapshot:
                becomeFollower(term: m.term, leader: m.from)
            case .preVoteResponse(granted: false), .vote, .voteResponse, .appendResponse,
                 .heartbeatResponse, .timeoutNow:
                becomeFollower(term: m.term, leader: nil)
            }
        } else if m.term < term {
            switch m.payload {
            case .append, .heartbeat:
                // Tell a stale leader about the newer term; with CheckQuorum or PreVote it
                // might otherwise never learn it (etcd raft.go, the "stale term" case).
                if settings.checkQuorum || settings.preVote { send(.heartbeatResponse(Raft.Message.HeartbeatResponse()), to: m.from) }
            case .preVote:
                send(.preVoteResponse(granted: false), to: m.from)
            case .preVoteResponse, .vote, .voteResponse, .appendResponse, .heartbeatResponse,
                 .snapshot, .timeoutNow:
                break
            }
            return
        }

        switch m.payload {
        case .preVote(let request):
            handleVoteRequest(m, request, isPreVote: true)
        case .vote(let request):
            handleVoteRequest(m, request, isPreVote: false)
        case .preVoteResponse, .voteResponse, .append, .appendResponse, .heartbeat,
             .heartbeatResponse, .snapshot, .timeoutNow:
            switch role {
            case .leader: stepLeader(m)
            case .candidate, .preCandidate: stepCandidate(m)
            case .follower: stepFollower(m)
            }
        }
    }

    private func validate(_ m: Raft.Message) throws(Raft.StepError) {
        if m.to != id { throw .wrongRecipient(m.to) }
        if m.from == id { throw .malformed("message from self") }
        if m.term == 0 { throw .malformed("term 0") }
        switch m.payload {
        case .append(let a):
            var expected = a.prevIndex + 1
            var lastTerm = a.prevTerm
            for e in a.entries {
                if e.index != expected { throw .malformed("entry index \(e.index), expected \(expected)") }
                if e.term < lastTerm || e.term > m.term { throw .malformed("entry term \(e.term) out of order") }
                expected += 1
                lastTerm = e.term
            }
        case .snapshot(let s):
            if s.term > m.term { throw .malformed("snapshot term \(s.term) above message term") }
        case .preVote, .preVoteResponse, .vote, .voteResponse, .appendResponse, .heartbeat,
             .heartbeatResponse, .timeoutNow:
            break
        }
    }

    /// RequestVote receiver (Raft Figure 2, §5.2, §5.4.1) and pre-vote (thesis §9.6).
    mutating func handleVoteRequest(_ m: Raft.Message, _ request: Raft.Message.VoteRequest, isPreVote: Bool) {
        let canVote = vote == m.from
            || (vote == nil && leader == nil)
            || (isPreVote && m.term > term)
        if canVote && log.isUpToDate(lastIndex: request.lastIndex, lastTerm: request.lastTerm) {
            if isPreVote {
                send(.preVoteResponse(granted: true), to: m.from, term: m.term)
            } else {
                electionElapsed = 0
                vote = m.from
                send(.voteResponse(granted: true), to: m.from, term: m.term)
            }
        } else {
            send(isPreVote ? .preVoteResponse(granted: false) : .voteResponse(granted: false), to: m.from)
        }
    }

    mutating func stepFollower(_ m: Raft.Message) {
        switch m.payload {
        case .append(let a):
            electionElapsed = 0
            leader = m.from
            handleAppend(m, a)
        case .heartbeat(let h):
            electionElapsed = 0
            leader = m.from
            handleHeartbeat(m, h)
        case .snapshot(let s):
            electionElapsed = 0
            leader = m.from
            handleSnapshot(m, s)
        case .timeoutNow:
            // Thesis §3.10: start an election at once, even if the leader is alive.
            campaign(transfer: true)
        case .preVote, .vote, .preVoteResponse, .voteResponse, .appendResponse, .heartbeatResponse:
            break
        }
    }

    mutating func stepCandidate(_ m: Raft.Message) {
        switch m.payload {
        case .append(let a):
            becomeFollower(term: m.term, leader: m.from)
            handleAppend(m, a)
        case .heartbeat(let h):
            becomeFollower(term: m.term, leader: m.from)
            handleHeartbeat(m, h)
        case .snapshot(let s):
            becomeFollower(term: m.term, leader: m.from)
            handleSnapshot(m, s)
        case .preVoteResponse(let granted):
            if role == .preCandidate { poll(m.from, granted: granted) }
        case .voteResponse(let granted):
            if role == .candidate { poll(m.from, granted: granted) }
        case .preVote, .vote, .appendResponse, .heartbeatResponse, .timeoutNow:
            break
        }
    }

    mutating func stepLeader(_ m: Raft.Message) {
        switch m.payload {
        case .appendResponse(let r):
            handleAppendResponse(m, r)
        case .heartbeatResponse(let r):
            handleHeartbeatResponse(m, r)
        case .preVote, .vote, .preVoteResponse, .voteResponse, .append, .heartbeat, .snapshot, .timeoutNow:
            break  // at most one leader per term (Raft §5.2): nothing else can come from this term
        }
    }
}
