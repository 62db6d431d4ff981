import Basics

extension Membership.Instance {
    /// Member updates waiting to be piggybacked (memberlist `TransmitLimitedQueue`).
    ///
    /// Least-transmitted first, newest first among equals; a newer claim about a member
    /// replaces the queued one; each claim goes out a bounded number of times. Keys are kept
    /// in a sorted array so taking the head costs O(k log m), not a sort per message.
    struct BroadcastQueue: Sendable {
        struct Key: Sendable, Hashable {
            var transmits: Int
            /// Unique and increasing: makes the order total, so hashing order cannot leak.
            var order: UInt64
            var id: NodeID

            func precedes(_ other: Key) -> Bool {
                transmits != other.transmits ? transmits < other.transmits : order > other.order
            }
        }

        var claims: [NodeID: (member: Membership.Member, key: Key)] = [:]
        var ordered: [Key] = []
        var counter: UInt64 = 0

        var isEmpty: Bool { ordered.isEmpty }
        var count: Int { ordered.count }

        mutating func enqueue(_ member: Membership.Member) {
            if let old = claims[member.id]?.key { remove(old) }
            counter += 1
            let key = Key(transmits: 0, order: counter, id: member.id)
            ordered.insert(key, at: 0)  // fewest transmits and newest: always the head
            claims[member.id] = (member, key)
        }

        /// Takes up to `maximum` claims, counting one transmission each and retiring those
        /// that reached `limit`. Excluded claims are skipped without counting.
        mutating func take(
            _ maximum: Int,
            limit: Int,
            excluding isExcluded: (Membership.Member) -> Bool = { _ in false }
        ) -> [Membership.Member] {
            guard maximum > 0, !ordered.isEmpty else { return [] }
            var picked: [Key] = []
            var skipped: [Key] = []
            var scanned = 0
            while picked.count < maximum, scanned < ordered.count {
                let key = ordered[scanned]
                scanned += 1
                if isExcluded(claims[key.id]!.member) { skipped.append(key) } else { picked.append(key) }
            }
            ordered.removeFirst(scanned)
            ordered.insert(contentsOf: skipped, at: 0)
            var taken: [Membership.Member] = []
            taken.reserveCapacity(picked.count)
            for key in picked {
                taken.append(claims[key.id]!.member)
                if key.transmits + 1 >= limit {
                    claims[key.id] = nil
                } else {
                    let next = Key(transmits: key.transmits + 1, order: key.order, id: key.id)
                    claims[key.id]!.key = next
                    ordered.insert(next, at: ordered.partitioningIndex { !$0.precedes(next) })
                }
            }
            return taken
        }

        mutating func remove(_ key: Key) {
            let index = ordered.partitioningIndex { !$0.precedes(key) }
            if index < ordered.count, ordered[index] == key { ordered.remove(at: index) }
        }
    }

    /// SWIM's λ·log n: `ceil(retransmitMultiplier × log10(n + 1))`, n counting every known
    /// member as memberlist does.
    var retransmitLimit: Int {
        let scaled = Double(settings.retransmitMultiplier) * Logarithm.decimal(Double(entries.count + 1))
        return max(1, Int(scaled.rounded(.up)))
    }

    /// Wraps a message with piggybacked gossip for `recipient`. A recipient we hold suspect,
    /// dead or left (or a forgotten one, from its tombstone) first hears that claim about
    /// itself, so it can refute at once (Lifeguard buddy system; also how a restarted member
    /// learns of its earlier death).
    ///
    /// - Parameter echo: claims the recipient just sent us; they are not sent back (an ack
    ///   would otherwise spend a retransmission on the member that told us), which keeps
    ///   λ·log n transmissions useful.
    mutating func makeEnvelope(
        _ message: Membership.Message,
        to recipient: NodeID?,
        echo: [Membership.Member] = []
    ) -> Membership.Envelope {
        var gossip: [Membership.Member] = []
        if let recipient {
            if let member = entries[recipient]?.member {
                if member.status != .alive { gossip.append(member) }
            } else if let tombstone = tombstones[recipient] {
                gossip.append(tombstone)
            }
        }
        let buddy = gossip.first?.id
        gossip += broadcasts.take(settings.maxGossipPerMessage - gossip.count, limit: retransmitLimit) { claim in
            claim.id == buddy || echo.contains(claim)
        }
        return Membership.Envelope(sender: id, senderAddress: address, message: message, gossip: gossip)
    }

    mutating func send(_ message: Membership.Message, to member: Membership.Member, into directives: inout [Membership.Directive]) {
        send(message, to: member.id, at: member.address, into: &directives)
    }

    mutating func send(
        _ message: Membership.Message,
        to recipient: NodeID?,
        at address: Endpoint,
        echo: [Membership.Member] = [],
        into directives: inout [Membership.Directive]
    ) {
        directives.append(.send(makeEnvelope(message, to: recipient, echo: echo), to: address))
    }

    /// A dedicated gossip round (memberlist `gossip`): when anything is queued, a ping
    /// carrying it goes to `gossipFanout` random members. The ack brings their news back.
    mutating func gossipRound(now: Instant, into directives: inout [Membership.Directive]) {
        nextGossipAt = now + settings.gossipInterval
        guard !broadcasts.isEmpty else { return }
        let gossipToTheDead = settings.gossipToTheDead
        let targets = randomMembers(settings.gossipFanout) { entry in
            !entry.member.status.isGone || now < entry.changedAt + gossipToTheDead
        }
        for target in targets {
            guard !broadcasts.isEmpty else { break }
            send(.ping(sequence: takeSequence()), to: target, into: &directives)
        }
    }
}
