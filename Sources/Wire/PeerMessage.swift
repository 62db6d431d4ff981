import Membership

extension Wire {
    /// Everything one agent sends another over a peer connection, in domain types.
    ///
    /// Cores speak in their own message types; this enum is the single point where the
    /// transport multiplexes them, so adding Raft traffic is one new case (and one new
    /// `PeerFrame.body` field) rather than a second connection.
    package enum PeerMessage: Sendable, Hashable {
        /// SWIM membership traffic (probes, acks, push-pull) with piggybacked gossip.
        case gossip(Membership.Envelope)
    }
}
