extension RaftNode {
    /// Proposes one single-server change (thesis §4.1). It takes effect on every node when
    /// its entry is applied; the leader accepts the next change only after that.
    /// - Throws: `.notLeader`, `.transferring`, `.confChangePending` while a change (or the
    ///   new leader's no-op) is unapplied, `.invalidConfChange` for an invalid step.
    package mutating func proposeConfChange(_ change: Raft.ConfChange) throws(Raft.ProposalError) {
        try checkAcceptsProposals()
        if pendingConfIndex > log.applied { throw .confChangePending(index: pendingConfIndex) }
        if let reason = conf.rejection(of: change) { throw .invalidConfChange(reason) }
        appendEntries([Raft.Entry(term: term, index: 0, kind: .confChange, data: change.encoded)])
        pendingConfIndex = log.lastIndex
        broadcastAppend()
    }

    /// Applies a committed configuration change (called as the application applies it).
    mutating func applyConfChange(_ entry: Raft.Entry) {
        guard let change = Raft.ConfChange(decoding: entry.data) else { return }
        conf.apply(change)
        guard role == .leader else { return }
        for member in conf.members where progress[member] == nil {
            var pr = Progress(next: log.lastIndex + 1, maxInflight: settings.maxInflightMessages)
            pr.recentActive = true
            progress[member] = pr
        }
        for peer in progress.keys.sorted() where !conf.isMember(peer) {
            progress[peer] = nil
        }
        if !conf.isVoter(id) {
            // Thesis §4.2.2: a leader no longer in the configuration steps down once the
            // change is committed.
            becomeFollower(term: term, leader: nil)
            return
        }
        if let target = leadTransferee, !conf.isVoter(target) { leadTransferee = nil }
        // The quorum changed, and a new member needs the log now rather than at the next
        // heartbeat: one broadcast serves both.
        _ = maybeCommit()
        broadcastAppend()
    }
}
