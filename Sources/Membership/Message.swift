import Basics

extension Membership {
    /// What one member sends another. Every message travels in an ``Envelope`` that names
    /// the sender and piggybacks gossip.
    package enum Message: Sendable, Hashable {
        /// A direct probe; the receiver answers with ``ack(sequence:)``.
        case ping(sequence: UInt64)
        /// Asks the receiver to probe `target` on the sender's behalf (SWIM §3.1 indirect
        /// probe). The receiver relays an ack, or a nack when the target stays silent
        /// (Lifeguard IV.A: nacks feed the local health multiplier).
        case pingRequest(sequence: UInt64, target: NodeID, targetAddress: Endpoint)
        /// The answer to a ping, or a relayed answer to a ping request.
        case ack(sequence: UInt64)
        /// "I tried and the target did not answer", from an indirect prober.
        case nack(sequence: UInt64)
        /// Full-state anti-entropy; `isReply` is false on the request and true on the answer.
        case pushPull(members: [Member], isReply: Bool)
    }

    /// A message with its sender and piggybacked member updates (SWIM §4.1 infection-style
    /// dissemination).
    package struct Envelope: Sendable, Hashable {
        package var sender: NodeID
        package var senderAddress: Endpoint
        package var message: Message
        package var gossip: [Member]

        package init(sender: NodeID, senderAddress: Endpoint, message: Message, gossip: [Member] = []) {
            self.sender = sender
            self.senderAddress = senderAddress
            self.message = message
            self.gossip = gossip
        }
    }
}
