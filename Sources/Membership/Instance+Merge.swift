import Basics

extension Membership.Instance {
    /// Applies one claim about a member, heard from `sender` (or concluded locally, when
    /// `sender` is self), by SWIM's ordering rules.
    ///
    /// - A newer incarnation wins; at equal incarnation the higher ``Membership/Status/precedence``
    ///   wins; anything else is stale and ignored (SWIM §4.2, memberlist `aliveNode`/`suspectNode`).
    /// - A repeated suspect claim from a new sender is an independent confirmation that shrinks
    ///   the suspicion timer (Lifeguard IV.B) and is re-gossiped.
    /// - A claim about self that says suspect, dead or left (or alive at a newer incarnation, a
    ///   leftover of an earlier life) is refuted.
    /// - A claim whose metadata exceeds ``Membership/Settings/maxMetadataBytes`` is dropped.
    /// - Forgotten (reaped) members stay as tombstones: only a higher incarnation revives them.
    ///
    /// - Returns: whether the claim changed the local view.
    @discardableResult
    mutating func apply(
        _ claim: Membership.Member,
        from sender: NodeID,
        now: Instant,
        into directives: inout [Membership.Directive]
    ) -> Bool {
        guard Self.metadataSize(claim.metadata) <= settings.maxMetadataBytes else { return false }
        if claim.id == id {
            return applyAboutSelf(claim, now: now, into: &directives)
        }
        if let current = entries[claim.id]?.member {
            if claim.incarnation > current.incarnation
                || (claim.incarnation == current.incarnation && claim.status.precedence > current.status.precedence)
            {
                accept(claim, from: sender, now: now, into: &directives)
                return true
            }
            if claim.incarnation == current.incarnation, claim.status == .suspect, current.status == .suspect,
               entries[claim.id]!.suspicion?.confirm(by: sender) == true
            {
                broadcasts.enqueue(current)
                return true
            }
            return false
        }
        if let tombstone = tombstones[claim.id] {
            guard claim.incarnation > tombstone.incarnation else { return false }
            if claim.status.isGone {
                tombstones[claim.id] = claim
                return false
            }
            tombstones[claim.id] = nil
        } else if claim.status.isGone {
            // Never seen alive here: remember the death so stale gossip cannot introduce it.
            tombstones[claim.id] = claim
            return false
        }
        accept(claim, from: sender, now: now, into: &directives)
        return true
    }

    /// Stores a winning claim, starts suspicion if it says suspect, and re-gossips it.
    mutating func accept(
        _ claim: Membership.Member,
        from sender: NodeID,
        now: Instant,
        into directives: inout [Membership.Directive]
    ) {
        store(claim, now: now, into: &directives)
        if claim.status == .suspect {
            entries[claim.id]!.suspicion = makeSuspicion(accuser: sender, now: now)
            timedIDs.insert(claim.id)
        }
        broadcasts.enqueue(claim)
    }

    /// The single place the local view changes; emits `.memberChanged` when status, address
    /// or metadata changed, or the member is new.
    mutating func store(_ member: Membership.Member, now: Instant, into directives: inout [Membership.Directive]) {
        let previous = entries[member.id]
        var entry = previous ?? Entry(member: member, changedAt: now)
        if previous == nil {
            let index = sortedIDs.partitioningIndex { $0 >= member.id }
            sortedIDs.insert(member.id, at: index)
            if member.id != id, !member.status.isGone {
                // Probe a newcomer within the current round (memberlist inserts at random).
                let slot = Int.random(in: probeCursor...probeOrder.count, using: &rng)
                probeOrder.insert(member.id, at: slot)
            }
        } else if previous!.member.status != member.status {
            entry.changedAt = now
        }
        entry.member = member
        if member.status != .suspect { entry.suspicion = nil }
        entries[member.id] = entry
        if member.status == .suspect || member.status.isGone {
            timedIDs.insert(member.id)
        } else {
            timedIDs.remove(member.id)
        }
        if let old = previous?.member, old.status == member.status, old.address == member.address,
           old.metadata == member.metadata
        {
            return
        }
        directives.append(.memberChanged(Membership.MemberChange(previous: previous?.member.status, member: member)))
    }

    /// Claims about self. Suspect/dead/left at or above our incarnation is refuted by jumping
    /// above it (SWIM §4.2, memberlist `refute`), which also costs one point of local health
    /// (Lifeguard IV.A). An alive claim newer than ours, or at our incarnation with another
    /// address or metadata, is a previous life (a restart begins at incarnation 0): we jump
    /// above it too, without the health penalty. After leaving we re-assert `left` instead.
    mutating func applyAboutSelf(
        _ claim: Membership.Member,
        now: Instant,
        into directives: inout [Membership.Directive]
    ) -> Bool {
        var myself = me
        if hasLeft {
            guard claim.incarnation > myself.incarnation
                || (claim.incarnation == myself.incarnation && claim.status != .left)
            else { return false }
            myself.incarnation = Self.incarnation(after: claim.incarnation)
            store(myself, now: now, into: &directives)
            broadcasts.enqueue(myself)
            return true
        }
        let isAccusation = claim.status != .alive && claim.incarnation >= myself.incarnation
        let isEarlierLife = claim.status == .alive
            && (claim.incarnation > myself.incarnation
                || (claim.incarnation == myself.incarnation
                    && (claim.address != myself.address || claim.metadata != myself.metadata)))
        guard isAccusation || isEarlierLife else { return false }
        myself.incarnation = Self.incarnation(after: claim.incarnation)
        store(myself, now: now, into: &directives)
        broadcasts.enqueue(myself)
        if isAccusation {
            adjustLocalHealth(by: 1)
            counters.refutations &+= 1
        }
        return true
    }

    /// The incarnation that refutes a claim at `incarnation`. Saturates instead of trapping:
    /// the wire never carries more than 2⁶², so only a core bug could get near the top.
    static func incarnation(after incarnation: UInt64) -> UInt64 {
        incarnation == .max ? .max : incarnation + 1
    }

    /// Moves the Lifeguard score, clamped to `0 ..< maxLocalHealthMultiplier`.
    mutating func adjustLocalHealth(by delta: Int) {
        localHealthScore = min(max(localHealthScore + delta, 0), settings.maxLocalHealthMultiplier - 1)
    }
}

extension Array {
    /// The first index whose element satisfies `predicate`, for a predicate that is false
    /// then true along the array (binary search).
    func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if predicate(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
