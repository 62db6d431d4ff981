import AgentCore
import Basics
import ClusterState
import Consensus
import Membership
import Simulation

extension ControllerSimulation {
    /// Hands node `i`'s agent a batch of events and carries out its effects through the
    /// agent's own interpreter (``AgentCore/AgentStep``), with this simulation as its shell.
    mutating func step(_ i: Int, _ events: [AgentEvent]) {
        guard var agent = nodes[i].agent else { return }
        stepping = i
        AgentStep.run(&agent, events, shell: &self)
        // A crash in the middle dropped the node; what it was doing goes with it.
        if nodes[i].isUp { nodes[i].agent = agent }
        afterStep(i)
    }
}

/// The simulation as the shell of the node it is stepping (``stepping``): memory for the
/// disk, the simulated network, the event queue for the controller and pod passes.
extension ControllerSimulation: AgentShell {
    typealias Failure = Never

    var isUp: Bool { nodes[stepping].isUp }
    var eventTime: Instant { localTime(stepping) }

    mutating func send(_ message: PeerMessage, to address: Endpoint) {
        transmit(message, from: stepping, to: address)
    }

    mutating func persist(hardState: Raft.HardState?, entries: [Raft.Entry], snapshot: Raft.Snapshot?) {
        if chaos && Double.random(in: 0 ..< 1, using: &faultRng) < config.crashDuringPersistRate {
            crash(stepping, reason: "before persisting")
            return
        }
        persist(hardState: hardState, entries: entries, snapshot: snapshot, on: stepping)
    }

    mutating func bootstrap(voters: [NodeID]) {
        nodes[stepping].disk = MemoryRaftStorage.bootstrap(voters: voters)
    }

    mutating func apply(_ entries: [Raft.Entry]) -> Bool {
        var changed = false
        for entry in entries { changed = apply(entry, on: stepping) || changed }
        return changed
    }

    mutating func takeSnapshot() -> (index: UInt64, data: [UInt8]) {
        let store = nodes[stepping].store
        return (store.index, codec.snapshot(store))
    }

    mutating func compact(_ snapshot: Raft.Snapshot) {
        do {
            try nodes[stepping].disk.compact(snapshot)
        } catch {
            raftChecks.recordFailure("\(nodes[stepping].id) could not compact at \(snapshot.index): \(error)")
        }
    }

    mutating func proposalCommitted(id: UInt64, index: UInt64) {
        settle(id, on: stepping, committedAt: index)
    }

    mutating func proposalFailed(id: UInt64, reason: ProposalFailure) {
        settle(id, on: stepping, committedAt: nil)
    }

    mutating func runControllerPass(members: [Membership.Member], lost: Set<NodeID>, term: UInt64) {
        queue.schedule(.controllerPass(stepping, incarnation: nodes[stepping].incarnation, members: members, lost: lost, term: term), at: now + shellLatency())
    }

    mutating func runPods(lease: LeaseHolder, report: Bool) {
        queue.schedule(.pods(stepping, incarnation: nodes[stepping].incarnation, lease: lease, report: report), at: now + shellLatency())
    }

    mutating func scheduleTick(at local: Instant) {
        scheduleTick(stepping, at: local)
    }
}

extension ControllerSimulation {
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
