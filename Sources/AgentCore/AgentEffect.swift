import Basics
import Consensus
import Membership

/// What the shell must do, in order, after ``AgentNode/handle(_:)``. Order matters:
/// `persist` comes before the `sendRaft`s it must precede, and before `apply`.
package enum AgentEffect: Sendable {
    /// Send a gossip envelope to the peer listening at the address.
    case sendGossip(Membership.Envelope, to: Endpoint)
    /// Send a Raft message to the peer at the address.
    case sendRaft(Raft.Message, to: Endpoint)
    /// Send a lease request or grant to the peer at the address.
    case sendLease(LeaseMessage, to: Endpoint)
    /// Hand a proposal to the leader, or refuse one, over the peer transport.
    case sendForward(ForwardMessage, to: Endpoint)
    /// Make these durable before carrying out any later effect (Raft §5.1: respond only
    /// after persisting). A failure to persist must stop the agent.
    case persist(hardState: Raft.HardState?, entries: [Raft.Entry], snapshot: Raft.Snapshot?)
    /// Write the first configuration of a brand-new cluster to durable storage.
    case bootstrapStorage(voters: [NodeID])
    /// Apply committed normal entries, in order, to the replicated state machine.
    case apply([Raft.Entry])
    /// Capture the state machine as of its applied index (which includes every `.apply`
    /// before this effect) and hand it back as ``AgentEvent/snapshotTaken(index:data:now:)``.
    case takeSnapshot
    /// Store this snapshot the agent took and drop the log entries it covers.
    case compact(Raft.Snapshot)
    /// A proposal made through `.propose` is committed at `index`, and applied here.
    case proposalCommitted(id: UInt64, index: UInt64)
    /// A proposal will not commit; the client may retry, at the leader if one is known.
    case proposalFailed(id: UInt64, reason: ProposalFailure)
    /// Compute one controller pass (``ControllerPass``) over the applied state with this
    /// view of liveness, and answer with ``AgentEvent/controllerPassComputed(proposal:term:now:)``.
    case runControllerPass(members: [Membership.Member], lost: Set<NodeID>, term: UInt64)
    /// Stop and start this agent's pods as ``PodDuty`` says under this lease, hand running
    /// ones the lease; with `report`, answer with ``AgentEvent/podsRan(report:now:)``
    /// carrying ``PodReport``.
    case runPods(lease: LeaseHolder, report: Bool)
    /// Deliver `.tick` no later than this instant; replaces the previous request.
    case scheduleTick(at: Instant)
    /// A member's status, address or metadata changed in this node's view.
    case memberChanged(Membership.MemberChange)
    /// This node's view of the Raft leader or term changed.
    case leaderChanged(leader: NodeID?, term: UInt64)
}

/// Why a proposal did not commit.
package enum ProposalFailure: Sendable, Hashable, CustomStringConvertible {
    /// No leader took the write within the wait (an election that did not end, or a
    /// partition from the majority).
    case noLeader(waited: Duration)
    /// Leadership changed before the entry committed, and another entry took its index.
    case superseded
    /// The core refused the proposal (a transfer in progress, a pending change).
    case refused(String)

    package var description: String {
        switch self {
        case .noLeader(let waited): "no leader committed the write within \(waited); the cluster may have lost its majority"
        case .superseded: "leadership changed before the write committed"
        case .refused(let reason): reason
        }
    }
}
