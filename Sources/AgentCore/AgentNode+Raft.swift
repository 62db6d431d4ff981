import Basics
import Consensus
import Membership

extension AgentNode {
    /// Turns every pending `Raft.Ready` into effects in the order Raft requires: the
    /// leader's appends may go out at once; the persist comes before votes and append
    /// acknowledgements; committed entries are applied after both (etcd's Ready contract).
    mutating func drainReady(into effects: inout [AgentEffect]) {
        var rounds = 0
        while raft.hasReady && rounds < 16 {
            rounds += 1
            let ready = raft.ready()
            let applyFirst = Self.mayApplyBeforePersist(ready)
            for message in ready.messagesNow { send(message, into: &effects) }
            if applyFirst { apply(ready.committedEntries, into: &effects) }
            if ready.snapshotToInstall != nil { bytesSinceSnapshot = 0 }
            if ready.hardState != nil || !ready.entriesToAppend.isEmpty || ready.snapshotToInstall != nil {
                effects.append(.persist(hardState: ready.hardState, entries: ready.entriesToAppend, snapshot: ready.snapshotToInstall))
            }
            for message in ready.messagesAfterPersist { send(message, into: &effects) }
            if !applyFirst { apply(ready.committedEntries, into: &effects) }
            grantLeases(ready.readStates, into: &effects)
            raft.advance(ready)
        }
    }

    /// Committed entries that are already on this node's disk need not wait for this round's
    /// fsync: applying them first answers their writers one fsync sooner (etcd applies
    /// concurrently with the append for the same reason). Entries that arrive in this round,
    /// or follow a snapshot being installed, wait for it, so the applied index never passes
    /// what the log holds durably.
    static func mayApplyBeforePersist(_ ready: Raft.Ready) -> Bool {
        guard let lastCommitted = ready.committedEntries.last, ready.snapshotToInstall == nil else { return false }
        guard let firstNew = ready.entriesToAppend.first else { return true }
        return lastCommitted.index < firstNew.index
    }

    private mutating func apply(_ committed: [Raft.Entry], into effects: inout [AgentEffect]) {
        guard !committed.isEmpty else { return }
        let (entries, forwarded) = unwrapForwarded(committed)
        effects.append(.apply(entries))
        countApplied(committed)
        resolveProposals(committed: committed, into: &effects)
        for proposal in forwarded { effects.append(.proposalCommitted(id: proposal.id, index: proposal.index)) }
    }

    /// Raft messages go to ``peerAddress(_:)``; with no address the message is dropped and
    /// Raft's retries cover it.
    private func send(_ message: Raft.Message, into effects: inout [AgentEffect]) {
        guard let address = peerAddress(message.to) else { return }
        effects.append(.sendRaft(message, to: address))
    }

    mutating func propose(id proposalID: UInt64, data: [UInt8], into effects: inout [AgentEffect]) {
        do {
            try raft.propose(data)
            pending[raft.lastIndex] = PendingProposal(id: proposalID, term: raft.term)
        } catch {
            effects.append(.proposalFailed(id: proposalID, reason: failure(for: error)))
        }
    }

    private func failure(for error: Raft.ProposalError) -> ProposalFailure {
        switch error {
        case .notLeader:
            return .refused("leadership moved before the write was proposed")
        case .transferring(let target):
            return .refused("leadership is moving to \(target)")
        case .confChangePending(let index):
            return .refused("a configuration change is pending at \(index)")
        case .invalidConfChange(let reason):
            return .refused(reason)
        case .invalidTransferTarget(let target):
            return .refused("cannot transfer to \(target)")
        }
    }

    /// A proposal commits when an entry with its index and term is committed; another term
    /// at that index means a new leader overwrote it (Raft §5.3).
    private mutating func resolveProposals(committed: [Raft.Entry], into effects: inout [AgentEffect]) {
        guard !pending.isEmpty else { return }
        for entry in committed {
            guard let proposal = pending.removeValue(forKey: entry.index) else { continue }
            if entry.term == proposal.term {
                effects.append(.proposalCommitted(id: proposal.id, index: entry.index))
            } else {
                effects.append(.proposalFailed(id: proposal.id, reason: .superseded))
            }
        }
    }

    /// Hands leadership to the voter with the longest log, so a planned shutdown of the
    /// leader costs one round trip instead of an election timeout (Raft thesis §3.10).
    mutating func transferLeadership() {
        guard raft.role == .leader else { return }
        let candidates = raft.voters.filter { $0 != id && membership.member($0)?.status == .alive }
        let ranked = candidates.sorted { lhs, rhs in
            let (left, right) = (raft.matchIndex(of: lhs) ?? 0, raft.matchIndex(of: rhs) ?? 0)
            return left != right ? left > right : lhs < rhs
        }
        if let best = ranked.first { try? raft.transferLeadership(to: best) }
    }
}
