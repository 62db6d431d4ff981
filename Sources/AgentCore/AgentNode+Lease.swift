import Basics
import Consensus
import Membership

extension AgentNode {
    /// Asks the leader to renew this agent's lease when a renewal is due. The leader renews
    /// its own through the same Raft read, so it too stops its pods once it cannot reach
    /// a quorum.
    mutating func renewLease(now: Instant, into effects: inout [AgentEffect]) {
        guard let leader = raft.leader else { return }
        let address = peerAddress(leader)
        guard leader == id || address != nil, let sequence = lease.request(now: now) else { return }
        if let address {
            effects.append(.sendLease(.request(from: id, to: leader, sequence: sequence), to: address))
        } else {
            leaseRequests.append((id, sequence))
        }
    }

    mutating func receive(_ message: LeaseMessage, now: Instant) {
        guard message.to == id else { return }
        switch message {
        case .request(let from, _, let sequence):
            guard raft.role == .leader, isKnownPeer(from) else { return }
            leaseBook.heard(from: from, at: now)
            leaseRequests.append((from, sequence))
        case .grant(let from, _, let sequence, let term, let readIndex):
            guard from == raft.leader, term == raft.term else { return }
            _ = lease.granted(sequence: sequence, readIndex: readIndex)
        }
    }

    /// One Raft read confirms every request that arrived in this batch.
    mutating func confirmLeaseRequests() {
        defer { leaseRequests = [] }
        guard raft.role == .leader, !leaseRequests.isEmpty else { return }
        try? raft.readIndex(context: LeaseReadContext.encode(leaseRequests))
    }

    /// Answers the lease requests whose read the quorum confirmed.
    ///
    /// The index a holder must apply before it starts a pod is the leader's last index, not
    /// only its commit index: a controller pass already proposed (not yet committed) may
    /// have moved the holder's pods while it was lost, and the holder must see that before
    /// it starts them again (the 10,000-seed simulation found the holder starting a pod the
    /// pending pass had moved, next to its new holder).
    mutating func grantLeases(_ reads: [Raft.ReadState], into effects: inout [AgentEffect]) {
        for read in reads {
            guard let requests = LeaseReadContext.decode(read.context) else { continue }
            let readIndex = max(read.index, raft.lastIndex)
            for request in requests {
                if request.node == id {
                    _ = lease.granted(sequence: request.sequence, readIndex: readIndex)
                } else if let address = peerAddress(request.node) {
                    let grant = LeaseMessage.grant(from: id, to: request.node, sequence: request.sequence, term: raft.term, readIndex: readIndex)
                    effects.append(.sendLease(grant, to: address))
                }
            }
        }
    }

    /// Starts or ends the leader's lease book with the role.
    mutating func trackLeadership(now: Instant) {
        let leads = raft.role == .leader
        if leads && leaseBook.leaderSince == nil {
            leaseBook.becameLeader(at: now)
        } else if !leads && leaseBook.leaderSince != nil {
            leaseBook.steppedDown()
        }
    }

    /// The agents whose pods may run elsewhere: gossip reports them dead (or gone) and their
    /// lease has surely run out. Empty on any node but the leader.
    package func fencedNodes(now: Instant) -> Set<NodeID> {
        Set(deadSince.keys.filter { $0 != id && leaseBook.hasExpired($0, now: now) })
    }
}
