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
    /// Applied entries changed objects in the state the controller and the pod pass read.
    case stateChanged(now: Instant)
    /// This agent's runtime observed something new about its pods (a supervisor reported
    /// or exited).
    case podsChanged(now: Instant)
    /// The answer to ``AgentEffect/runControllerPass(members:lost:term:)``: the pass as one
    /// cluster entry, nil when it had nothing to do.
    case controllerPassComputed(proposal: [UInt8]?, term: UInt64, now: Instant)
    /// The answer to ``AgentEffect/runPods(lease:report:)`` when it asked for a report:
    /// the report as one cluster entry, nil when there is nothing new.
    case podsRan(report: [UInt8]?, now: Instant)
    /// What this agent's container runtime last said about itself: nil while it is ready,
    /// else why it is not (the kubelet's words, "container runtime is down"). Gossiped, so
    /// the leader marks the agent's Node not Ready and places no pod there.
    case runtimeHealth(problem: String?, now: Instant)
    /// Hand leadership to the most caught-up voter, before shutting down.
    case transferLeadership(now: Instant)
    /// The operator asked the agent to leave the cluster (SIGTERM).
    case leave(now: Instant)
}
