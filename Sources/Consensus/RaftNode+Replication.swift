import Basics

extension RaftNode {
    /// Appends a normal entry to the leader's log for replication (Raft §5.3).
    /// - Throws: `.notLeader` on any other node, `.transferring` during a transfer.
    package mutating func propose(_ data: [UInt8]) throws(Raft.ProposalError) {
        try checkAcceptsProposals()
        appendEntries([Raft.Entry(term: term, index: 0, kind: .normal, data: data)])
        broadcastAppend()
    }

    func checkAcceptsProposals() throws(Raft.ProposalError) {
        guard role == .leader else { throw .notLeader(leaderHint: leader) }
        if let target = leadTransferee { throw .transferring(to: target) }
    }

    /// Numbers `entries` after the last index in this term and appends them. The leader's
    /// own match advances only when they are persisted (see `advance`).
    mutating func appendEntries(_ entries: [Raft.Entry]) {
        var next = log.lastIndex + 1
        let numbered = entries.map { entry -> Raft.Entry in
            var e = entry
            e.term = term
            e.index = next
            next += 1
            return e
        }
        log.append(numbered)
    }

    /// Peers to replicate to, sorted.
    var peers: [NodeID] { conf.members.filter { $0 != id } }

    mutating func broadcastAppend() {
        for peer in peers { sendAppend(to: peer) }
    }

    mutating func broadcastHeartbeat(readSequence: UInt64) {
        for peer in peers {
            let commit = min(progress[peer]?.match ?? 0, log.committed)
            send(.heartbeat(Raft.Message.Heartbeat(commit: commit, readSequence: readSequence)), to: peer)
        }
    }

    /// Sends the next append to `peer`, or the snapshot if the entries it needs are
    /// compacted (thesis §5.1). - Returns: whether a message was sent.
    @discardableResult
    mutating func sendAppend(to peer: NodeID, sendIfEmpty: Bool = true) -> Bool {
        guard var pr = progress[peer], !pr.isPaused else { return false }
        let prevIndex = pr.next - 1
        guard let prevTerm = log.term(at: prevIndex),
              let entries = log.entries(from: pr.next, maxCount: settings.maxEntriesPerAppend, maxBytes: settings.maxBytesPerAppend)
        else {
            let snapshot = log.snapshot
            pr.becomeSnapshot(index: snapshot.index)
            progress[peer] = pr
            send(.snapshot(snapshot), to: peer)
            return true
        }
        if entries.isEmpty && !sendIfEmpty { return false }
        send(.append(Raft.Message.Append(prevIndex: prevIndex, prevTerm: prevTerm, entries: entries, commit: log.committed)), to: peer)
        pr.sentAppend(lastIndex: prevIndex + UInt64(entries.count), count: entries.count)
        progress[peer] = pr
        return true
    }

    /// Raft §5.3/§5.4.2: the highest index a quorum has, if it is of this term.
    /// - Returns: whether the commit index moved.
    mutating func maybeCommit() -> Bool {
        let index = Raft.Majority.committedIndex(voters: conf.voters) { progress[$0]?.match ?? 0 }
        guard log.maybeCommit(index: index, term: term) else { return false }
        commitAdvanced()
        return true
    }

    /// The follower side of AppendEntries (Raft Figure 2).
    mutating func handleAppend(_ m: Raft.Message, _ a: Raft.Message.Append) {
        if a.prevIndex < log.committed {
            send(.appendResponse(Raft.Message.AppendResponse(index: log.committed)), to: m.from)
            return
        }
        if let last = log.maybeAppend(prevIndex: a.prevIndex, prevTerm: a.prevTerm, commit: a.commit, entries: a.entries) {
            send(.appendResponse(Raft.Message.AppendResponse(index: last)), to: m.from)
        } else {
            let hint = log.findConflictByTerm(index: min(a.prevIndex, log.lastIndex), term: a.prevTerm)
            let rejection = Raft.Message.Rejection(hintIndex: hint.index, hintTerm: hint.term)
            send(.appendResponse(Raft.Message.AppendResponse(index: a.prevIndex, rejection: rejection)), to: m.from)
        }
    }

    mutating func handleHeartbeat(_ m: Raft.Message, _ h: Raft.Message.Heartbeat) {
        log.commitTo(min(h.commit, log.lastIndex))
        send(.heartbeatResponse(Raft.Message.HeartbeatResponse(readSequence: h.readSequence)), to: m.from)
    }

    mutating func handleAppendResponse(_ m: Raft.Message, _ r: Raft.Message.AppendResponse) {
        guard var pr = progress[m.from] else { return }
        pr.recentActive = true
        if let rejection = r.rejection {
            if r.index >= pr.match, rejection.hintIndex < pr.match { pr.shortLogRejections += 1 }
            var probe = rejection.hintIndex
            if rejection.hintTerm > 0 {
                probe = log.findConflictByTerm(index: rejection.hintIndex, term: rejection.hintTerm).index
            }
            if pr.maybeDecrTo(rejected: r.index, matchHint: probe) {
                if pr.state == .replicate { pr.becomeProbe() }
                progress[m.from] = pr
                sendAppend(to: m.from)
            } else {
                progress[m.from] = pr
            }
            return
        }
        pr.shortLogRejections = 0
        let wasPaused = pr.isPaused
        guard pr.maybeUpdate(r.index) else {
            progress[m.from] = pr
            return
        }
        switch pr.state {
        case .probe:
            pr.becomeReplicate()
        case .snapshot:
            if pr.match >= pr.pendingSnapshot { pr.becomeReplicate() }
        case .replicate:
            pr.inflights.free(upTo: r.index)
        }
        progress[m.from] = pr
        if maybeCommit() {
            broadcastAppend()
        } else if wasPaused {
            sendAppend(to: m.from)
        }
        while sendAppend(to: m.from, sendIfEmpty: false) {}
        if m.from == leadTransferee, progress[m.from]?.match == log.lastIndex {
            send(.timeoutNow, to: m.from)
        }
    }

    mutating func handleHeartbeatResponse(_ m: Raft.Message, _ r: Raft.Message.HeartbeatResponse) {
        guard var pr = progress[m.from] else { return }
        pr.recentActive = true
        pr.probeSent = false
        if pr.state == .replicate && pr.inflights.isFull { pr.inflights.freeFirst() }
        progress[m.from] = pr
        if pr.match < log.lastIndex { sendAppend(to: m.from) }
        if r.readSequence > 0 { acknowledgeRead(r.readSequence, from: m.from) }
    }
}
