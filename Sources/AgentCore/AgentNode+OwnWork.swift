import Basics
import Consensus
import Membership

/// One kind of the agent's own recurring work — the leader's controller pass, this agent's
/// pod pass and status report — and where it stands. The node decides when it runs; the
/// shell computes it with the pure functions (``ControllerPass``, ``PodDuty``,
/// ``PodReport``) and hands the result back; the node proposes it and waits for it, so
/// one is in flight at a time and each sees the effect of the last.
struct OwnWork: Sendable, Equatable {
    enum Phase: Sendable, Equatable {
        case idle
        /// Asked of the shell in `term`; its answer is taken only in that term. An answer
        /// that never comes (the shell's mailbox was full) is given up on at the deadline.
        case computing(term: UInt64, deadline: Instant)
        /// Proposed under this id; given up on at the deadline.
        case proposed(id: UInt64, deadline: Instant)
    }

    /// Something it reads changed since it last ran.
    var due = true
    var phase = Phase.idle

    var isIdle: Bool { phase == .idle }

    /// When the proposal in flight is given up on (a lost answer is noticed at the next
    /// event, which always comes soon: gossip ticks several times a second).
    var deadline: Instant? {
        if case .proposed(_, let deadline) = phase { deadline } else { nil }
    }

    var isComputing: Bool {
        if case .computing = phase { true } else { false }
    }

    /// Ends a proposal of this work that resolved, or timed out; it runs again.
    mutating func settle(_ id: UInt64) -> Bool {
        guard case .proposed(let mine, _) = phase, mine == id else { return false }
        phase = .idle
        due = true
        return true
    }

    mutating func expire(now: Instant) {
        switch phase {
        case .proposed(_, let deadline) where now >= deadline, .computing(_, let deadline) where now >= deadline:
            phase = .idle
            due = true
        default:
            break
        }
    }
}

extension AgentNode {
    /// Proposal ids from here up are the node's own (its controller passes and pod
    /// reports); a client's `.propose` must use ids below.
    package static let ownProposalIDs: UInt64 = 1 << 63

    /// The state the controller and the pod pass read changed (the shell applied entries
    /// that changed objects), or gossip or leadership did.
    mutating func stateChanged() {
        controllerWork.due = true
        podWork.due = true
    }

    /// Resolves the node's own proposals among the effects (they have no client waiting)
    /// and drops those effects.
    mutating func settleOwnProposals(_ effects: inout [AgentEffect]) {
        effects.removeAll { effect in
            let id: UInt64
            switch effect {
            case .proposalCommitted(let committed, _): id = committed
            case .proposalFailed(let failed, _): id = failed
            default: return false
            }
            guard id >= Self.ownProposalIDs else { return false }
            _ = controllerWork.settle(id) || podWork.settle(id)
            return true
        }
    }

    /// Asks the shell for a controller pass and a pod pass when they are due and none is in
    /// flight. The controller runs only while ``mayRunController(now:)`` holds, and at
    /// least every ``AgentCoreSettings/controllerInterval`` (time-based decisions: a lease
    /// that ran out, a pod ready for long enough).
    mutating func scheduleOwnWork(now: Instant, into effects: inout [AgentEffect]) {
        controllerWork.expire(now: now)
        podWork.expire(now: now)
        if raft.role == .leader {
            if nextControllerPass.map({ now >= $0 }) ?? true {
                controllerWork.due = true
                nextControllerPass = now + settings.controllerInterval
            }
        } else {
            nextControllerPass = nil
        }
        if controllerWork.due, controllerWork.isIdle, mayRunController(now: now) {
            controllerWork.due = false
            controllerWork.phase = .computing(term: raft.term, deadline: now + settings.proposalWait)
            passLost = fencedNodes(now: now)
            effects.append(.runControllerPass(members: membership.members, lost: passLost, term: raft.term))
        }
        if lease.deadline != scheduledLease.deadline || lease.readIndex != scheduledLease.readIndex {
            scheduledLease = (lease.deadline, lease.readIndex)
            podWork.due = true
        }
        guard podWork.due, !podWork.isComputing else { return }
        podWork.due = false
        let report = podWork.isIdle
        if report { podWork.phase = .computing(term: podTerm, deadline: now + settings.proposalWait) }
        effects.append(.runPods(lease: lease, report: report))
    }

    /// Pod reports are not tied to a term; one constant marks them being computed.
    private var podTerm: UInt64 { 0 }

    /// The controller pass the shell computed for `term`: proposed while this agent still
    /// may run the controller in that term, dropped otherwise.
    mutating func controllerPassComputed(_ proposal: [UInt8]?, term: UInt64, now: Instant, into effects: inout [AgentEffect]) {
        guard case .computing(term, _) = controllerWork.phase else { return }
        guard let proposal, raft.term == term, mayRunController(now: now) else {
            controllerWork.phase = .idle
            return
        }
        // The pass may move the pods of the agents it was told are lost; one that renewed its
        // lease since is not lost any more, and the pass is computed again.
        guard passLost.isSubset(of: fencedNodes(now: now)) else {
            controllerWork.phase = .idle
            controllerWork.due = true
            return
        }
        let id = nextOwnID()
        controllerWork.phase = .proposed(id: id, deadline: now + settings.proposalWait)
        propose(id: id, data: proposal, into: &effects)
    }

    /// The pod report the shell computed: handed to the leader like any write.
    mutating func podsRan(_ report: [UInt8]?, now: Instant, into effects: inout [AgentEffect]) {
        guard podWork.isComputing else { return }
        guard let report else {
            podWork.phase = .idle
            return
        }
        let id = nextOwnID()
        podWork.phase = .proposed(id: id, deadline: now + settings.proposalWait + settings.raftTick)
        submit(id: id, data: report, now: now, into: &effects)
    }

    private mutating func nextOwnID() -> UInt64 {
        defer { ownProposalCount &+= 1 }
        return Self.ownProposalIDs | (ownProposalCount & (Self.ownProposalIDs - 1))
    }

    /// The earliest instant the node's own work needs a look: a proposal's deadline, the
    /// leader's next periodic pass.
    var ownWorkDeadline: Instant? {
        [controllerWork.deadline, podWork.deadline, raft.role == .leader ? nextControllerPass : nil].compactMap { $0 }.min()
    }
}
