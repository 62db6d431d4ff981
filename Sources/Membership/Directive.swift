import Basics

extension Membership {
    /// What the shell must do after an event, in order.
    package enum Directive: Sendable, Hashable {
        /// Send the envelope to the peer listening at the address.
        case send(Envelope, to: Endpoint)
        /// Call ``Instance/handle(_:)`` with `.tick` no later than this instant. Each call
        /// returns exactly one, the earliest deadline the instance has; it replaces any earlier one.
        case scheduleTick(at: Instant)
        /// The local view of a member changed; shells log it and feed liveness upward.
        case memberChanged(MemberChange)
    }
}
