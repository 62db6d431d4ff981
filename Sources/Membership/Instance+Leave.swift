import Basics

extension Membership.Instance {
    /// Graceful departure: announce `left` at a higher incarnation, push it at once to a few
    /// members (gossip rounds keep spreading it), and stop probing and push-pulling.
    mutating func leave(now: Instant, into directives: inout [Membership.Directive]) {
        guard !hasLeft else { return }
        hasLeft = true
        var myself = me
        myself.status = .left
        myself.incarnation = Self.incarnation(after: myself.incarnation)
        store(myself, now: now, into: &directives)
        broadcasts.enqueue(myself)
        probe = nil
        nextProbeAt = nil
        nextPushPullAt = nil
        let fanout = max(settings.gossipFanout, settings.indirectProbes, 3)
        let targets = randomMembers(fanout) { !$0.member.status.isGone }
        for target in targets {
            send(.ping(sequence: takeSequence()), to: target, into: &directives)
        }
        if nextGossipAt == nil { nextGossipAt = now + settings.gossipInterval }
        isStarted = true
    }

    /// Forgets dead and left members `2 × gossipToTheDead` after they went, keeping a
    /// tombstone so that only a higher incarnation can bring them back. No `.memberChanged`
    /// is emitted: the member's last reported status stands.
    mutating func reap(now: Instant) {
        let horizon = settings.gossipToTheDead * 2
        var due: [NodeID] = []
        for id in timedIDs {
            guard let entry = entries[id], entry.member.status.isGone, entry.changedAt + horizon <= now else { continue }
            due.append(id)
        }
        guard !due.isEmpty else { return }
        for id in due.sorted() where id != self.id {
            let entry = entries.removeValue(forKey: id)!
            timedIDs.remove(id)
            tombstones[id] = entry.member
            let index = sortedIDs.partitioningIndex { $0 >= id }
            if index < sortedIDs.count, sortedIDs[index] == id { sortedIDs.remove(at: index) }
        }
    }
}
