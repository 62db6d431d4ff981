import AgentCore
import Consensus
import Membership

extension Wire {
    /// Everything one agent sends another over a peer connection, in domain types.
    ///
    /// Cores speak in their own message types; this enum is the single point where the
    /// transport multiplexes them, so each core's traffic is one case (and one
    /// `PeerFrame.body` field) rather than a connection of its own.
    package enum PeerMessage: Sendable, Hashable {
        /// SWIM membership traffic (probes, acks, push-pull) with piggybacked gossip.
        case gossip(Membership.Envelope)
        /// Raft consensus traffic (votes, appends, heartbeats, snapshots) between two nodes.
        case raft(Raft.Message)
        /// Pod lease renewals between an agent and the Raft leader.
        case lease(LeaseMessage)
        /// Clients' writes handed to the leader (and its refusals).
        case forward(ForwardMessage)
    }
}
