import Basics

/// The one interpreter of a node's effects, run by the agent and by every simulation, so
/// what the simulations prove is what the agent does.
///
/// A step hands the node a batch of events and carries out the effects it returns, in order,
/// through an ``AgentShell``; then it hands the node the events those effects answer at once
/// (``AgentEvent/snapshotTaken(index:data:now:)`` for a capture, one
/// ``AgentEvent/stateChanged(now:)`` when an apply changed an object), for at most
/// ``maxRounds`` rounds. The node asks for one capture per applied index, so a step needs two
/// rounds at most; the bound only keeps a mistake from looping.
package enum AgentStep {
    package static let maxRounds = 4

    package static func run<Shell: AgentShell>(_ node: inout AgentNode, _ events: [AgentEvent], shell: inout Shell) throws(Shell.Failure) {
        var pending = events
        var rounds = 0
        while !pending.isEmpty, rounds < maxRounds, shell.isUp {
            let effects = node.handle(pending)
            pending = try interpret(effects, node: node, shell: &shell)
            rounds += 1
        }
    }

    /// Carries out `effects` in order; the events that answer them.
    private static func interpret<Shell: AgentShell>(_ effects: [AgentEffect], node: AgentNode, shell: inout Shell) throws(Shell.Failure) -> [AgentEvent] {
        var followUps: [AgentEvent] = []
        var changed = false
        var sending = false
        for effect in effects {
            guard shell.isUp else { return [] }
            if let (message, address) = effect.send {
                shell.send(message, to: address)
                sending = true
                continue
            }
            if sending {
                shell.flushSends()
                sending = false
            }
            switch effect {
            case .sendGossip, .sendRaft, .sendLease, .sendForward:
                break  // sent above
            case .persist(let hardState, let entries, let snapshot):
                try shell.persist(hardState: hardState, entries: entries, snapshot: snapshot)
            case .bootstrapStorage(let voters):
                try shell.bootstrap(voters: voters)
            case .apply(let entries):
                changed = try shell.apply(entries) || changed
            case .takeSnapshot:
                let (index, data) = try shell.takeSnapshot()
                followUps.append(.snapshotTaken(index: index, data: data, now: shell.eventTime))
            case .compact(let snapshot):
                try shell.compact(snapshot)
            case .proposalCommitted(let id, let index):
                shell.proposalCommitted(id: id, index: index)
            case .proposalFailed(let id, let reason):
                shell.proposalFailed(id: id, reason: reason)
            case .runControllerPass(let members, let lost, let term):
                shell.runControllerPass(members: members, lost: lost, term: term)
            case .runPods(let lease, let report):
                shell.runPods(lease: lease, report: report)
            case .scheduleTick(let at):
                shell.scheduleTick(at: at)
            case .memberChanged(let change):
                shell.memberChanged(change)
            case .leaderChanged(let leader, let term):
                shell.leaderChanged(leader: leader, term: term)
            }
        }
        guard shell.isUp else { return [] }
        if sending { shell.flushSends() }
        shell.roundDone(node)
        if changed { followUps.append(.stateChanged(now: shell.eventTime)) }
        return followUps
    }
}

extension AgentEffect {
    /// The message and its address, for the four sends.
    var send: (PeerMessage, Endpoint)? {
        switch self {
        case .sendGossip(let envelope, let to): (.gossip(envelope), to)
        case .sendRaft(let message, let to): (.raft(message), to)
        case .sendLease(let message, let to): (.lease(message), to)
        case .sendForward(let message, let to): (.forward(message), to)
        default: nil
        }
    }
}
