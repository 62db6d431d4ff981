import Basics

extension Membership {
    /// Everything that can happen to a membership instance. Time arrives only here.
    package enum Event: Sendable, Hashable {
        /// Join the cluster through these seed addresses (a push-pull with each). An empty
        /// list starts a cluster of one.
        case join(seeds: [Endpoint], now: Instant)
        /// Time passed; the instance fires whatever deadlines are due (probe period, probe
        /// timeout, suspicion timeouts, gossip and push-pull intervals).
        case tick(now: Instant)
        /// A message arrived from a peer.
        case received(Envelope, now: Instant)
        /// Leave gracefully: announce `left` with a higher incarnation and stop probing.
        case leave(now: Instant)
        /// Publish new metadata about self (serf's tags): a higher incarnation carries it.
        /// Metadata over ``Settings/maxMetadataBytes`` is ignored.
        case updateMetadata([String: String], now: Instant)
    }
}
