import Basics

extension RaftNode {
    /// Requests a linearizable read (thesis §6.4). The leader records its commit index and
    /// confirms it is still leader with a heartbeat round; once a quorum answers, a
    /// ``Raft/ReadState`` with that index and `context` appears in a ``Raft/Ready``. A leader
    /// that has not yet committed an entry of its own term waits until it has (step 1 of
    /// §6.4). Pending reads are dropped if the leader steps down; the client retries.
    /// - Throws: `.notLeader` on any node but the leader.
    package mutating func readIndex(context: [UInt8]) throws(Raft.ProposalError) {
        guard role == .leader else { throw .notLeader(leaderHint: leader) }
        guard log.term(at: log.committed) == term else {
            reads.deferred.append(context)
            return
        }
        registerRead(context)
    }

    private mutating func registerRead(_ context: [UInt8]) {
        if conf.voters == [id] {
            readStates.append(Raft.ReadState(index: log.committed, context: context))
            return
        }
        let sequence = reads.nextSequence
        reads.nextSequence += 1
        reads.pending.append(ReadIndexQueue.Pending(sequence: sequence, index: log.committed, context: context, acks: [id: true]))
        broadcastHeartbeat(readSequence: sequence)
    }

    /// A heartbeat acknowledged for round `sequence` confirms every round up to it, since
    /// it was sent after all of them were registered.
    mutating func acknowledgeRead(_ sequence: UInt64, from peer: NodeID) {
        guard conf.isVoter(peer) else { return }
        var confirmed = 0
        for i in reads.pending.indices where reads.pending[i].sequence <= sequence {
            reads.pending[i].acks[peer] = true
            if Raft.Majority.voteResult(voters: conf.voters, votes: reads.pending[i].acks) == .won {
                confirmed = i + 1
            }
        }
        for read in reads.pending.prefix(confirmed) {
            readStates.append(Raft.ReadState(index: read.index, context: read.context))
        }
        reads.pending.removeFirst(confirmed)
    }

    /// Called whenever the leader's commit index moves.
    mutating func commitAdvanced() {
        guard role == .leader, !reads.deferred.isEmpty, log.term(at: log.committed) == term else { return }
        let deferred = reads.deferred
        reads.deferred = []
        for context in deferred { registerRead(context) }
    }
}
