import Basics
import Consensus
import Membership

/// An input to ``AgentNode``. Time arrives only inside events.
package enum AgentEvent: Sendable {
    /// Start the agent and join through the seed addresses (none: found a new cluster).
    case start(seeds: [Endpoint], now: Instant)
    /// A deadline the node asked for (``AgentEffect/scheduleTick(at:)``) has come.
    case tick(now: Instant)
    /// A gossip envelope arrived from a peer.
    case gossip(Membership.Envelope, now: Instant)
    /// A Raft message arrived from a peer.
    case raft(Raft.Message, now: Instant)
    /// A lease request or grant arrived from a peer.
    case lease(LeaseMessage, now: Instant)
    /// A proposal handed over, or refused, by another agent.
    case forward(ForwardMessage, now: Instant)
    /// A client asks to replicate `data`; the answer is a `.proposalCommitted` (once the
    /// entry is applied here) or `.proposalFailed` effect carrying `id`. Any agent takes
    /// it: a follower hands it to the leader, and holds it while no leader is known.
    case propose(id: UInt64, data: [UInt8], now: Instant)
    /// The state machine's bytes as of `index`, asked for by ``AgentEffect/takeSnapshot``.
    case snapshotTaken(index: UInt64, data: [UInt8], now: Instant)
    /// Hand leadership to the most caught-up voter, before shutting down.
    case transferLeadership(now: Instant)
    /// The operator asked the agent to leave the cluster (SIGTERM).
    case leave(now: Instant)
}
