import Basics
import Consensus

extension RaftSimulation {
    /// Puts a message on the wire: maybe lost, maybe duplicated, each copy delayed at
    /// random (which reorders), and dropped on a cut link.
    mutating func transmit(_ m: Raft.Message) {
        guard let from = indexOf[m.from], let to = indexOf[m.to] else { return }
        if blocked[from][to] {
            trace.record(.message(time: now, m, note: "cut"))
            return
        }
        if chaos && Double.random(in: 0 ..< 1, using: &netRng) < config.lossRate {
            trace.record(.message(time: now, m, note: "lost"))
            return
        }
        let copies = chaos && Double.random(in: 0 ..< 1, using: &netRng) < config.duplicateRate ? 2 : 1
        for _ in 0 ..< copies {
            let delay = UInt64.random(in: config.minDelay ... config.maxDelay, using: &netRng)
            queue.schedule(.deliver(m, to: to), at: now + delay)
        }
    }

    mutating func deliver(_ m: Raft.Message, to j: Int) {
        guard let from = indexOf[m.from], !blocked[from][j], nodes[j].raft != nil else {
            trace.record(.message(time: now, m, note: "dropped"))
            return
        }
        trace.record(.message(time: now, m, note: ""))
        do {
            try nodes[j].raft!.step(m)
        } catch {
            invariants.recordFailure("\(nodes[j].id) refused \(m): \(error)")
        }
        afterStep(j)
    }

    /// Carries out one `Ready` the way a shell must: leader traffic first (it may overlap
    /// the fsync), then persist, then the messages that promise durability, then apply.
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
                guard let machine = RaftSimNode.Machine(decoding: snapshot.data) else {
                    invariants.recordFailure("\(raft.id) got an undecodable snapshot at \(snapshot.index)")
                    return
                }
                nodes[i].machine = machine
                invariants.checkChain(index: machine.index, hash: machine.hash, on: raft.id)
                note("\(raft.id) installed snapshot \(snapshot.index)/\(snapshot.term)")
            }
            try disk.append(ready.entriesToAppend)
        } catch {
            invariants.recordFailure("\(raft.id) storage refused a Ready: \(error)")
            return
        }
        if let hs = ready.hardState { disk.setHardState(hs) }
        invariants.observePersisted(ready.entriesToAppend, on: raft.id, disk: disk)
        nodes[i].disk = disk
        for m in ready.messagesAfterPersist { transmit(m) }
        for entry in ready.committedEntries {
            let before = nodes[i].machine.index
            nodes[i].machine.apply(entry)
            invariants.observeApply(entry, on: raft.id, machine: nodes[i].machine, before: before)
            if entry.kind == .normal, let id = Self.proposalID(entry.data), proposedOn[id] == i {
                proposedOn[id] = nil
                acknowledged.append((id, entry.index))
            }
        }
        raft.advance(ready)
        if raft.appliedIndex >= raft.snapshotIndex + config.compactEvery,
           let snapshot = raft.compact(through: raft.appliedIndex, snapshotData: nodes[i].machine.encoded) {
            do {
                try nodes[i].disk.compact(snapshot)
            } catch {
                invariants.recordFailure("\(raft.id) could not compact at \(snapshot.index): \(error)")
            }
        }
        nodes[i].raft = raft
    }

    static func proposalData(_ id: UInt64) -> [UInt8] {
        (0 ..< 8).map { UInt8(truncatingIfNeeded: id >> (8 * $0)) }
    }

    static func proposalID(_ data: [UInt8]) -> UInt64? {
        guard data.count == 8 else { return nil }
        return data.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * $1.offset) }
    }
}
