import Basics

extension RaftNode {
    /// Hands leadership to `target` (thesis §3.10): proposals stop, the target is brought up
    /// to date, then told to campaign with `TimeoutNow`. Abandoned after an election
    /// timeout. Transferring to this node itself cancels a transfer.
    /// - Throws: `.notLeader` on a non-leader, `.invalidTransferTarget` for a non-voter.
    package mutating func transferLeadership(to target: NodeID) throws(Raft.ProposalError) {
        guard role == .leader else { throw .notLeader(leaderHint: leader) }
        if target == id {
            leadTransferee = nil
            return
        }
        guard conf.isVoter(target) else { throw .invalidTransferTarget(target) }
        if leadTransferee == target { return }
        leadTransferee = target
        electionElapsed = 0
        if progress[target]?.match == log.lastIndex {
            send(.timeoutNow, to: target)
        } else {
            sendAppend(to: target)
        }
    }
}
