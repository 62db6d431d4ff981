import AgentCore
import Basics
import ClusterState
import Consensus
import Simulation

extension ControllerSimulation {
    /// Puts a message on the wire: maybe lost, maybe duplicated, each copy delayed at
    /// random (which reorders), and dropped on a cut link.
    mutating func transmit(_ m: Raft.Message) {
        guard let from = indexOf[m.from], let to = indexOf[m.to] else { return }
        if blocked[from][to] {
            messages.record(.message(time: now, m, note: "cut"))
            return
        }
        if chaos && Double.random(in: 0 ..< 1, using: &netRng) < config.lossRate {
            messages.record(.message(time: now, m, note: "lost"))
            return
        }
        let copies = chaos && Double.random(in: 0 ..< 1, using: &netRng) < config.duplicateRate ? 2 : 1
        for _ in 0 ..< copies {
            let delay = UInt64.random(in: config.minDelay ... config.maxDelay, using: &netRng)
            queue.schedule(.deliver(m, to: to), at: now + delay)
        }
    }

    mutating func deliver(_ m: Raft.Message, to j: Int) {
        guard let from = indexOf[m.from], !blocked[from][j], nodes[j].isUp else {
            messages.record(.message(time: now, m, note: "dropped"))
            return
        }
        messages.record(.message(time: now, m, note: ""))
        do {
            try nodes[j].raft?.step(m)
        } catch {
            raftChecks.recordFailure("\(nodes[j].id) refused \(m): \(error)")
        }
        afterStep(j)
    }

    /// Carries out one `Ready` as the agent's driver does: leader traffic first, then
    /// persist (a received snapshot replaces the materialised state too, as the agent's
    /// store does in the same transaction), then the messages that promise durability, then
    /// apply the committed entries to the node's own ``ClusterState``.
    mutating func processReady(_ i: Int) {
        guard var raft = nodes[i].raft, raft.hasReady else { return }
        let ready = raft.ready()
        for m in ready.messagesNow { transmit(m) }
        if chaos && ready.hasStateToPersist && Double.random(in: 0 ..< 1, using: &faultRng) < config.crashDuringPersistRate {
            crash(i, reason: "before persisting")
            return
        }
        var disk = nodes[i].disk
        do {
            if let snapshot = ready.snapshotToInstall {
                try disk.applySnapshot(snapshot)
                installSnapshot(snapshot, on: i)
            }
            try disk.append(ready.entriesToAppend)
        } catch {
            raftChecks.recordFailure("\(raft.id) storage refused a Ready: \(error)")
            return
        }
        if let hs = ready.hardState { disk.setHardState(hs) }
        raftChecks.observePersisted(ready.entriesToAppend, on: raft.id, disk: disk)
        nodes[i].disk = disk
        for m in ready.messagesAfterPersist { transmit(m) }
        var changed = false
        for entry in ready.committedEntries {
            changed = apply(entry, on: i) || changed
        }
        raft.advance(ready)
        if raft.appliedIndex >= raft.snapshotIndex + config.compactEvery, nodes[i].store.index == raft.appliedIndex,
           let snapshot = raft.compact(through: raft.appliedIndex, snapshotData: codec.snapshot(nodes[i].store)) {
            do {
                try nodes[i].disk.compact(snapshot)
            } catch {
                raftChecks.recordFailure("\(raft.id) could not compact at \(snapshot.index): \(error)")
            }
        }
        nodes[i].raft = raft
        grantLeases(ready.readStates, on: i)
        if settleWrites(i) || changed { ring(i) }
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
        ring(i)
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
            }
            guard position < results.count else { return text }
            switch results[position] {
            case .applied(_, let changed): return changed ? text : text + " (no-op)"
            case .rejected(let error): return text + " REJECTED \(error.reason)"
            }
        }.joined(separator: "; ")
    }
}
