import Basics

extension Membership.Instance {
    /// Replaces this member's metadata and gossips it under a higher incarnation, the way
    /// serf publishes changed tags. Ignored after leaving, when nothing changed, or when the
    /// metadata is over the size bound.
    mutating func updateMetadata(_ metadata: [String: String], now: Instant, into directives: inout [Membership.Directive]) {
        guard !hasLeft, metadata != me.metadata,
              Self.metadataSize(metadata) <= settings.maxMetadataBytes else { return }
        var myself = me
        myself.metadata = metadata
        myself.incarnation = Self.incarnation(after: myself.incarnation)
        store(myself, now: now, into: &directives)
        broadcasts.enqueue(myself)
    }
}
