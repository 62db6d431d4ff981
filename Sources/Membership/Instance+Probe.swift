import Basics

extension Membership.Instance {
    /// The probe of the current protocol period (SWIM §3.1, memberlist `probeNode`).
    struct Probe: Sendable, Hashable {
        var sequence: UInt64
        var target: NodeID
        var targetAddress: Endpoint
        /// When the direct ping is given up and indirect probes go out.
        var timeoutAt: Instant
        /// Any ack, direct or relayed, must arrive before the period ends.
        var periodEndsAt: Instant
        var indirectSent = false
        /// The members asked to probe the target indirectly: their acks (relayed from the
        /// target) and nacks count too.
        var helpers: Set<NodeID> = []
        var expectedNacks = 0
        var nacks = 0
    }

    /// Starts a protocol period: ping the next member of the shuffled round-robin list.
    /// A suspect target gets its suspect claim first in the piggyback (Lifeguard buddy system).
    mutating func startProbe(now: Instant, into directives: inout [Membership.Directive]) {
        let periodEnd = now + probeInterval
        nextProbeAt = periodEnd
        let target = nextProbeTarget()
        if awaitingJoinReply || target == nil {
            // The join push-pull may have been lost (a seed's stale connection to our previous
            // life, say): ask the seeds again.
            askSeeds(into: &directives)
        }
        guard let target else { return }
        let member = entries[target]!.member
        let sequence = takeSequence()
        counters.probes &+= 1
        probe = Probe(
            sequence: sequence,
            target: target,
            targetAddress: member.address,
            timeoutAt: now + probeTimeout,
            periodEndsAt: periodEnd
        )
        send(.ping(sequence: sequence), to: member, into: &directives)
    }

    /// SWIM's round-robin over a random permutation: walks the list skipping gone members and
    /// reshuffles at the end, so every live member is probed once per round.
    mutating func nextProbeTarget() -> NodeID? {
        var reshuffled = false
        while true {
            if probeCursor >= probeOrder.count {
                if reshuffled { return nil }
                reshuffled = true
                probeOrder = sortedIDs.filter { $0 != id && entries[$0]?.member.status.isGone == false }
                probeOrder.shuffle(using: &rng)
                probeCursor = 0
                continue
            }
            let candidate = probeOrder[probeCursor]
            probeCursor += 1
            if candidate != id, let entry = entries[candidate], !entry.member.status.isGone {
                return candidate
            }
        }
    }

    /// Probe timeout: ask `k` random alive members to probe indirectly. Period end with no
    /// ack: penalize local health (one point per missing nack, or one when nobody could
    /// help; Lifeguard IV.A) and suspect the target at its current incarnation.
    mutating func fireProbeDeadlines(now: Instant, into directives: inout [Membership.Directive]) {
        guard var current = probe else { return }
        if !current.indirectSent, current.timeoutAt <= now {
            current.indirectSent = true
            let target = current.target
            let helpers = randomMembers(settings.indirectProbes) { entry in
                entry.member.id != target && entry.member.status == .alive
            }
            current.expectedNacks = helpers.count
            current.helpers = Set(helpers.map(\.id))
            probe = current
            for helper in helpers {
                let request = Membership.Message.pingRequest(
                    sequence: current.sequence,
                    target: target,
                    targetAddress: current.targetAddress
                )
                send(request, to: helper, into: &directives)
            }
        }
        guard current.periodEndsAt <= now else { return }
        probe = nil
        if current.expectedNacks > 0 {
            adjustLocalHealth(by: max(0, current.expectedNacks - current.nacks))
        } else {
            adjustLocalHealth(by: 1)
        }
        guard var suspect = entries[current.target]?.member, suspect.status == .alive else { return }
        suspect.status = .suspect
        apply(suspect, from: id, now: now, into: &directives)
    }

    /// An ack for the current probe ends it successfully and improves local health; an ack
    /// for a relayed probe is passed on to the member that asked. An ack counts only from
    /// the member that was probed (or, for the current probe, a helper relaying the
    /// target's ack): sequence numbers are small and guessable, and a ping replayed to a
    /// third agent makes it answer with the prober's sequence, which must not vouch for the
    /// target.
    mutating func receiveAck(sequence: UInt64, from sender: NodeID, into directives: inout [Membership.Directive]) {
        if let current = probe, current.sequence == sequence {
            guard sender == current.target || current.helpers.contains(sender) else { return }
            probe = nil
            adjustLocalHealth(by: -1)
        } else if let relay = relays[sequence], relay.target == sender {
            relays[sequence] = nil
            send(.ack(sequence: relay.requesterSequence), to: relay.requester, at: relay.requesterAddress, into: &directives)
        }
    }

    /// A nack counts only from a member asked to probe indirectly.
    mutating func receiveNack(sequence: UInt64, from sender: NodeID) {
        if probe?.sequence == sequence, probe?.helpers.contains(sender) == true { probe!.nacks += 1 }
    }
}
