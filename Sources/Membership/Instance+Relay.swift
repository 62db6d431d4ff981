import Basics

extension Membership.Instance {
    /// An indirect probe this member runs for another (SWIM §3.1 ping-req).
    struct Relay: Sendable, Hashable {
        var requester: NodeID
        var requesterAddress: Endpoint
        var requesterSequence: UInt64
        /// The member pinged on the requester's behalf: only its ack is relayed.
        var target: NodeID
        /// Lifeguard's nack: sent when the target stays silent this long. Like Apple's
        /// swift-cluster-membership, 0.8 × the probe timeout, so the nack beats the
        /// requester's period end.
        var nackAt: Instant
    }

    /// Pings `target` on the requester's behalf under a fresh local sequence number.
    mutating func receivePingRequest(
        sequence: UInt64,
        target: NodeID,
        targetAddress: Endpoint,
        from envelope: Membership.Envelope,
        now: Instant,
        into directives: inout [Membership.Directive]
    ) {
        let local = takeSequence()
        relays[local] = Relay(
            requester: envelope.sender,
            requesterAddress: envelope.senderAddress,
            requesterSequence: sequence,
            target: target,
            nackAt: now + settings.probeTimeout.scaled(by: 0.8)
        )
        send(.ping(sequence: local), to: target, at: targetAddress, into: &directives)
    }

    /// Sends a nack for every relayed probe whose target stayed silent, in sequence order.
    mutating func fireRelays(now: Instant, into directives: inout [Membership.Directive]) {
        guard !relays.isEmpty else { return }
        let due = relays.filter { $0.value.nackAt <= now }.keys.sorted()
        for sequence in due {
            let relay = relays.removeValue(forKey: sequence)!
            send(.nack(sequence: relay.requesterSequence), to: relay.requester, at: relay.requesterAddress, into: &directives)
        }
    }
}
