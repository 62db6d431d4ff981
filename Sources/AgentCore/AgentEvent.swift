import Basics
import Membership

/// An input to ``AgentNode``. Time arrives only inside events.
package enum AgentEvent: Sendable, Hashable {
    /// Start the agent and join through the seed addresses (none: found a new cluster).
    case start(seeds: [Endpoint], now: Instant)
    /// A deadline the node asked for (``AgentEffect/scheduleTick(at:)``) has come.
    case tick(now: Instant)
    /// A gossip envelope arrived from a peer.
    case gossip(Membership.Envelope, now: Instant)
    /// The operator asked the agent to leave the cluster (SIGTERM).
    case leave(now: Instant)
}
