import Basics
import Membership

/// What the shell must do, in order, after ``AgentNode/handle(_:)``.
package enum AgentEffect: Sendable, Hashable {
    /// Send a gossip envelope to the peer listening at the address.
    case sendGossip(Membership.Envelope, to: Endpoint)
    /// Deliver `.tick` no later than this instant; replaces the previous request.
    case scheduleTick(at: Instant)
    /// A member's status, address or metadata changed in this node's view.
    case memberChanged(Membership.MemberChange)
}
