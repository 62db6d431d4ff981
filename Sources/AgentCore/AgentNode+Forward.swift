import Basics
import Consensus
import Membership

/// A client's proposal on this agent that is not (or not yet) in this agent's own log as
/// leader: waiting for a leader, or forwarded to one.
struct WaitingProposal: Sendable {
    var data: [UInt8]
    /// Its id on the wire and in the log: drawn from a random start at every start of the
    /// agent (``AgentNode/nextWireID``), so a restarted agent never reuses the id of an
    /// entry its previous life forwarded (a leader would take the new write for the old).
    var wireID: UInt64
    /// When the client is told no leader committed it.
    var deadline: Instant
    /// The leader it was last handed to, in which term: handed again only to another.
    var sentTo: (leader: NodeID, term: UInt64)?
}

extension AgentNode {
    /// A client's proposal: the leader proposes it; any other agent hands it to the leader
    /// over the peer transport, or holds it until a leader is known (``AgentCoreSettings/proposalWait``),
    /// so a write made during an election is committed by the next leader.
    mutating func submit(id: UInt64, data: [UInt8], now: Instant, into effects: inout [AgentEffect]) {
        if raft.role == .leader {
            propose(id: id, data: data, into: &effects)
            return
        }
        let wireID = nextWireID
        nextWireID &+= 1
        waiting[id] = WaitingProposal(data: data, wireID: wireID, deadline: now + settings.proposalWait)
        waitingByWire[wireID] = id
    }

    /// Hands every waiting proposal to the leader it has not been handed to yet, and fails
    /// those past their deadline. Runs once per batch, after the events.
    mutating func dispatchWaiting(now: Instant, into effects: inout [AgentEffect]) {
        guard !waiting.isEmpty else { return }
        for proposalID in waiting.keys.sorted() {
            guard let proposal = waiting[proposalID] else { continue }
            if now >= proposal.deadline {
                forget(proposalID)
                effects.append(.proposalFailed(id: proposalID, reason: .noLeader(waited: settings.proposalWait)))
                continue
            }
            guard let leader = raft.leader else { continue }
            if let sent = proposal.sentTo, sent.leader == leader, sent.term == raft.term { continue }
            if leader == id {
                waiting[proposalID]?.sentTo = (leader, raft.term)
                takeForwarded(origin: id, id: proposal.wireID, data: proposal.data, into: &effects)
            } else if let address = peerAddress(leader) {
                waiting[proposalID]?.sentTo = (leader, raft.term)
                effects.append(.sendForward(.propose(from: id, to: leader, id: proposal.wireID, data: proposal.data), to: address))
            }
        }
    }

    mutating func receive(_ message: ForwardMessage, now: Instant, into effects: inout [AgentEffect]) {
        guard message.to == id else { return }
        switch message {
        case .propose(let origin, _, let proposalID, let data):
            guard isKnownPeer(origin) else { return }
            takeForwarded(origin: origin, id: proposalID, data: data, into: &effects)
        case .refused(let leader, _, let wireID, let notLeader, let reason):
            guard let proposalID = waitingByWire[wireID], waiting[proposalID]?.sentTo?.leader == leader else { return }
            if notLeader {
                waiting[proposalID]?.sentTo = nil  // hand it to the next leader known
            } else {
                forget(proposalID)
                effects.append(.proposalFailed(id: proposalID, reason: .refused(reason)))
            }
        }
    }

    /// On the leader: appends a proposal made on `origin`'s behalf, unless its log already
    /// holds it (handed over again after a change of leader).
    private mutating func takeForwarded(origin: NodeID, id proposalID: UInt64, data: [UInt8], into effects: inout [AgentEffect]) {
        let key = ForwardKey(origin: origin, id: proposalID)
        guard raft.role == .leader else {
            refuse(key, notLeader: true, reason: "not the leader", into: &effects)
            return
        }
        indexForwardedEntries()
        guard forwardedIndex[key] == nil else { return }
        do {
            try raft.propose(ForwardedEntry.encode(origin: origin, id: proposalID, command: data))
            forwardedIndex[key] = raft.lastIndex
        } catch {
            refuse(key, notLeader: { if case .notLeader = error { true } else { false } }(), reason: "\(error)", into: &effects)
        }
    }

    private mutating func refuse(_ key: ForwardKey, notLeader: Bool, reason: String, into effects: inout [AgentEffect]) {
        if key.origin == id {
            guard let proposalID = waitingByWire[key.id] else { return }
            if notLeader {
                waiting[proposalID]?.sentTo = nil
            } else {
                forget(proposalID)
                effects.append(.proposalFailed(id: proposalID, reason: .refused(reason)))
            }
        } else if let address = peerAddress(key.origin) {
            effects.append(.sendForward(.refused(from: id, to: key.origin, id: key.id, notLeader: notLeader, reason: reason), to: address))
        }
    }

    /// A new leader learns which forwarded proposals its log already holds (entries of the
    /// previous leader it may yet commit) with one scan of the log it keeps.
    private mutating func indexForwardedEntries() {
        guard forwardedIndexTerm != raft.term else { return }
        forwardedIndexTerm = raft.term
        forwardedIndex = [:]
        for entry in raft.entries(raft.firstIndex, raft.lastIndex) where entry.kind == .normal {
            if let (origin, proposalID, _) = ForwardedEntry.decode(entry.data) {
                forwardedIndex[ForwardKey(origin: origin, id: proposalID)] = entry.index
            }
        }
    }

    /// Strips the proposer from forwarded entries before they reach the state machine.
    /// - Returns: the entries as the state machine applies them, and this agent's own
    ///   forwarded proposals among them, to answer once they are applied.
    mutating func unwrapForwarded(_ committed: [Raft.Entry]) -> (entries: [Raft.Entry], mine: [(id: UInt64, index: UInt64)]) {
        var mine: [(id: UInt64, index: UInt64)] = []
        let entries = committed.map { entry in
            guard entry.kind == .normal, let (origin, wireID, command) = ForwardedEntry.decode(entry.data) else { return entry }
            if origin == id, let proposalID = waitingByWire[wireID] {
                forget(proposalID)
                mine.append((proposalID, entry.index))
            }
            var unwrapped = entry
            unwrapped.data = Array(command)
            return unwrapped
        }
        return (entries, mine)
    }

    private mutating func forget(_ proposalID: UInt64) {
        guard let proposal = waiting.removeValue(forKey: proposalID) else { return }
        waitingByWire[proposal.wireID] = nil
    }

    /// Forgets forwarded entries a snapshot now covers: they are applied everywhere that
    /// matters, and the map stays as small as the log.
    mutating func forgetForwarded(through index: UInt64) {
        forwardedIndex = forwardedIndex.filter { $0.value > index }
    }
}

/// A forwarded proposal's identity: its proposer and the proposer's id for it.
struct ForwardKey: Hashable, Sendable {
    var origin: NodeID
    var id: UInt64
}
