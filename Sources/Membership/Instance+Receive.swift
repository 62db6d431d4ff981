import Basics

extension Membership.Instance {
    /// Merges the piggybacked gossip, then the message; an unknown sender is added as alive
    /// (it is talking to us), unless we hold it dead or left.
    mutating func receive(_ envelope: Membership.Envelope, now: Instant, into directives: inout [Membership.Directive]) {
        guard envelope.sender != id else { return }
        for claim in envelope.gossip {
            apply(claim, from: envelope.sender, now: now, into: &directives)
        }
        if case let .pushPull(members, _) = envelope.message {
            for claim in members {
                apply(claim, from: envelope.sender, now: now, into: &directives)
            }
        }
        if entries[envelope.sender] == nil, tombstones[envelope.sender] == nil {
            let newcomer = Membership.Member(id: envelope.sender, address: envelope.senderAddress, status: .alive, incarnation: 0)
            accept(newcomer, from: envelope.sender, now: now, into: &directives)
        }
        switch envelope.message {
        case let .ping(sequence):
            send(.ack(sequence: sequence), to: envelope.sender, at: envelope.senderAddress, echo: envelope.gossip, into: &directives)
        case let .pingRequest(sequence, target, targetAddress):
            receivePingRequest(
                sequence: sequence,
                target: target,
                targetAddress: targetAddress,
                from: envelope,
                now: now,
                into: &directives
            )
        case let .ack(sequence):
            receiveAck(sequence: sequence, from: envelope.sender, into: &directives)
        case let .nack(sequence):
            receiveNack(sequence: sequence, from: envelope.sender)
        case let .pushPull(_, isReply):
            if isReply {
                awaitingJoinReply = false
            } else {
                send(
                    .pushPull(members: members, isReply: true),
                    to: envelope.sender,
                    at: envelope.senderAddress,
                    echo: envelope.gossip,
                    into: &directives
                )
            }
        }
    }
}
