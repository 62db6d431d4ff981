import AgentCore
import Basics
import ClusterState
import Consensus
import Simulation

extension ControllerSimulation {
    /// Hands node `i`'s agent a batch of events and carries out its effects, as the agent's
    /// driver does, then the events those effects answer at once (a snapshot capture).
    mutating func step(_ i: Int, _ events: [AgentEvent]) {
        var pending = events
        var rounds = 0
        while !pending.isEmpty, rounds < 4, var agent = nodes[i].agent {
            let effects = agent.handle(pending)
            nodes[i].agent = agent
            pending = interpret(effects, on: i)
            rounds += 1
        }
        afterStep(i)
    }

    /// Carries out effects in order; a crash in the middle (before a persist) drops the rest.
    /// - Returns: events that answer effects and go back to the agent right away.
    private mutating func interpret(_ effects: [AgentEffect], on i: Int) -> [AgentEvent] {
        var followUps: [AgentEvent] = []
        var changed = false
        for effect in effects {
            guard nodes[i].isUp else { return [] }
            switch effect {
            case .sendGossip(let envelope, let to): transmit(.gossip(envelope), from: i, to: to)
            case .sendRaft(let message, let to): transmit(.raft(message), from: i, to: to)
            case .sendLease(let message, let to): transmit(.lease(message), from: i, to: to)
            case .sendForward(let message, let to): transmit(.forward(message), from: i, to: to)
            case .persist(let hardState, let entries, let snapshot):
                if chaos && Double.random(in: 0 ..< 1, using: &faultRng) < config.crashDuringPersistRate {
                    crash(i, reason: "before persisting")
                    return []
                }
                persist(hardState: hardState, entries: entries, snapshot: snapshot, on: i)
            case .bootstrapStorage(let voters):
                nodes[i].disk = MemoryRaftStorage.bootstrap(voters: voters)
            case .apply(let entries):
                for entry in entries { changed = apply(entry, on: i) || changed }
            case .takeSnapshot:
                let store = nodes[i].store
                followUps.append(.snapshotTaken(index: store.index, data: codec.snapshot(store), now: localTime(i)))
            case .compact(let snapshot):
                do {
                    try nodes[i].disk.compact(snapshot)
                } catch {
                    raftChecks.recordFailure("\(nodes[i].id) could not compact at \(snapshot.index): \(error)")
                }
            case .proposalCommitted(let id, let index):
                settle(id, on: i, committedAt: index)
            case .proposalFailed(let id, _):
                settle(id, on: i, committedAt: nil)
            case .runControllerPass(let members, let lost, let term):
                queue.schedule(.controllerPass(i, incarnation: nodes[i].incarnation, members: members, lost: lost, term: term), at: now + shellLatency())
            case .runPods(let lease, let report):
                queue.schedule(.pods(i, incarnation: nodes[i].incarnation, lease: lease, report: report), at: now + shellLatency())
            case .scheduleTick(let at):
                scheduleTick(i, at: at)
            case .memberChanged, .leaderChanged:
                break
            }
        }
        if changed { followUps.append(.stateChanged(now: localTime(i))) }
        return followUps
    }

    /// The durable part of a `Ready`: a snapshot from the leader replaces the log and the
    /// materialised state together (the agent's one transaction), then entries, then the
    /// hard state.
    private mutating func persist(hardState: Raft.HardState?, entries: [Raft.Entry], snapshot: Raft.Snapshot?, on i: Int) {
        var disk = nodes[i].disk
        do {
            if let snapshot {
                try disk.applySnapshot(snapshot)
                installSnapshot(snapshot, on: i)
            }
            try disk.append(entries)
        } catch {
            raftChecks.recordFailure("\(nodes[i].id) storage refused a Ready: \(error)")
            return
        }
        if let hardState { disk.setHardState(hardState) }
        raftChecks.observePersisted(entries, on: nodes[i].id, disk: disk)
        nodes[i].disk = disk
    }

    /// Puts a message on the wire: maybe lost, maybe duplicated, each copy delayed at
    /// random (which reorders), and dropped on a cut link.
    private mutating func transmit(_ message: PeerMessage, from i: Int, to endpoint: Endpoint) {
        guard let j = indexOf[endpoint] else { return }
        if case .raft(let m) = message { messages.record(.message(time: now, m, note: blocked[i][j] ? "cut" : "")) }
        if blocked[i][j] { return }
        if chaos && Double.random(in: 0 ..< 1, using: &netRng) < config.lossRate { return }
        let copies = chaos && Double.random(in: 0 ..< 1, using: &netRng) < config.duplicateRate ? 2 : 1
        for _ in 0 ..< copies {
            let delay = UInt64.random(in: config.minDelay ... config.maxDelay, using: &netRng)
            queue.schedule(.deliver(message, from: i, to: j), at: now + delay)
        }
    }

    mutating func deliver(_ message: PeerMessage, from i: Int, to j: Int) {
        guard !blocked[i][j], nodes[j].isUp, let event = message.event(now: localTime(j)) else { return }
        step(j, [event])
    }

    /// Arms the tick the agent asked for, in true time (its clock runs at its own rate).
    private mutating func scheduleTick(_ i: Int, at local: Instant) {
        let global = UInt64((Double(local.nanoseconds) / nodes[i].clockRate).rounded(.up))
        guard nodes[i].tickAt != global else { return }
        nodes[i].tickAt = global
        queue.schedule(.tick(i, incarnation: nodes[i].incarnation, at: global), at: max(global, now + 1))
    }

    /// Proposes on node `i` as a client of its API does; returns the proposal id.
    mutating func propose(on i: Int, _ proposal: ClusterProposal) -> UInt64 {
        let id = nodes[i].nextProposal
        nodes[i].nextProposal += 1
        step(i, [.propose(id: id, data: codec.encode(proposal), now: localTime(i))])
        return id
    }

    /// A client's write through node `i` ended: committed (and applied here) or failed.
    private mutating func settle(_ id: UInt64, on i: Int, committedAt index: UInt64?) {
        guard let pending = operatorWrite, pending.node == i, pending.write.id == id else { return }
        operatorWrite = nil
        if let index { acknowledged.append(index) }
    }

    private mutating func installSnapshot(_ snapshot: Raft.Snapshot, on i: Int) {
        guard snapshot.index > nodes[i].store.index else { return }
        guard let restored = codec.restore(snapshot.data), restored.index == snapshot.index else {
            checks.fail("snapshotsDecode", "\(nodes[i].name) got snapshot \(snapshot.index) whose state does not decode")
            return
        }
        nodes[i].store = restored
        checks.observe(restored, on: nodes[i].name)
        note("\(nodes[i].name) installed snapshot \(snapshot.index)/\(snapshot.term)")
    }

    /// Applies one committed entry to node `i`'s state, skipping what the kept state
    /// already holds after a restart; returns whether any object changed.
    private mutating func apply(_ entry: Raft.Entry, on i: Int) -> Bool {
        var store = nodes[i].store
        guard entry.index > store.index else { return false }
        guard entry.index == store.index + 1 else {
            checks.fail("appliedInOrder", "\(nodes[i].name) applied \(entry.index) after \(store.index)")
            return false
        }
        var changed = false
        if entry.kind == .normal {
            guard let proposal = codec.proposal(entry.data) else {
                checks.fail("entriesDecode", "\(nodes[i].name) cannot decode entry \(entry.index)")
                return false
            }
            let applied = store.state.apply(proposal, at: entry.index)
            changed = !applied.changes.isEmpty
            if entry.index > checks.historyIndex {
                note("apply \(entry.index)/\(entry.term): " + Self.summary(proposal.commands, applied.results))
                checks.committed(index: entry.index, term: entry.term)
            }
        }
        store.index = entry.index
        nodes[i].store = store
        checks.observe(store, on: nodes[i].name)
        return changed
    }

    /// `create pod web-3; bind web-2->n1 REJECTED Conflict; …`, for the trace.
    static func summary(_ commands: [ClusterCommand], _ results: [ApplyResult] = []) -> String {
        commands.enumerated().map { position, command in
            let text: String = switch command {
            case .create(let object): "create \(object.kind.rawValue) \(object.key.name)"
            case .update(let object): "update \(object.kind.rawValue) \(object.key.name)"
            case .updateStatus(.pod(let pod)): "status \(pod.metadata.name) \(pod.phase ?? "-") ready=\(pod.isReady)"
            case .updateStatus(let object): "status \(object.kind.rawValue) \(object.key.name)"
            case .delete(let kind, let key, _): "delete \(kind.rawValue) \(key.name)"
            case .finalize(let kind, let key, _): "finalize \(kind.rawValue) \(key.name)"
            case .bind(let pod, _, let node, let ip): "bind \(pod.name)->\(node) \(ip)"
            case .evict(let pod, _): "evict \(pod.name)"
            case .reportReplication(let report): "report \(report.volume) e\(report.epoch)g\(report.latest.generation)"
            }
            guard position < results.count else { return text }
            switch results[position] {
            case .applied(_, let changed): return changed ? text : text + " (no-op)"
            case .rejected(let error): return text + " REJECTED \(error.reason)"
            }
        }.joined(separator: "; ")
    }
}
