extension Membership {
    /// Timing and fan-out of the protocol. Defaults are tuned for a LAN or loopback, where a
    /// round trip is well under a millisecond, and every field is settable by an agent flag.
    package struct Settings: Sendable, Hashable {
        /// SWIM's protocol period T′: one probe per period, stretched by local health.
        package var probeInterval: Duration = .milliseconds(400)
        /// How long a direct probe waits for its ack before going indirect.
        package var probeTimeout: Duration = .milliseconds(200)
        /// `k`: members asked to probe indirectly.
        package var indirectProbes: Int = 3
        /// Lifeguard's maximum local health multiplier (score runs 0 ..< max).
        package var maxLocalHealthMultiplier: Int = 8
        /// Minimum suspicion timeout = `suspicionMultiplier × max(1, log10 n) × probeInterval`.
        package var suspicionMultiplier: Double = 3
        /// Suspicion starts at `suspicionMaxMultiplier ×` the minimum and shrinks with
        /// independent confirmations.
        package var suspicionMaxMultiplier: Double = 6
        /// λ in SWIM's λ·log n: each update is piggybacked `ceil(λ × log10(n + 1))` times.
        package var retransmitMultiplier: Int = 4
        /// Most gossip updates piggybacked on one message.
        package var maxGossipPerMessage: Int = 16
        /// Dedicated gossip rounds between probes, to spread news faster than probes alone.
        package var gossipInterval: Duration = .milliseconds(200)
        /// Peers each gossip round sends to.
        package var gossipFanout: Int = 3
        /// Period of the full-state exchange with one random member.
        package var pushPullInterval: Duration = .seconds(15)
        /// How long dead members are still sent gossip, so a wrongly declared member hears of
        /// it and refutes; after this, and the same again, a dead or left member is forgotten.
        package var gossipToTheDead: Duration = .seconds(15)
        /// Largest encoded metadata a member may publish.
        package var maxMetadataBytes: Int = 512

        package init() {}

        /// Why a setting is unusable.
        package struct ValidationError: Error, Hashable, CustomStringConvertible {
            package var field: String
            package var reason: String
            package var description: String { "\(field): \(reason)" }
        }

        /// - Throws: ``ValidationError`` naming the first setting out of range.
        package func validate() throws(ValidationError) {
            func check(_ ok: Bool, _ field: String, _ reason: String) throws(ValidationError) {
                if !ok { throw ValidationError(field: field, reason: reason) }
            }
            try check(probeInterval > .zero, "probeInterval", "must be positive")
            try check(probeTimeout > .zero, "probeTimeout", "must be positive")
            try check(probeTimeout < probeInterval, "probeTimeout", "must be shorter than probeInterval")
            try check(indirectProbes >= 0, "indirectProbes", "must not be negative")
            try check(maxLocalHealthMultiplier >= 1, "maxLocalHealthMultiplier", "must be at least 1")
            try check(suspicionMultiplier >= 1, "suspicionMultiplier", "must be at least 1")
            try check(suspicionMaxMultiplier >= 1, "suspicionMaxMultiplier", "must be at least 1")
            try check(retransmitMultiplier >= 1, "retransmitMultiplier", "must be at least 1")
            try check(maxGossipPerMessage >= 1, "maxGossipPerMessage", "must be at least 1")
            try check(gossipInterval > .zero, "gossipInterval", "must be positive")
            try check(gossipFanout >= 0, "gossipFanout", "must not be negative")
            try check(pushPullInterval > .zero, "pushPullInterval", "must be positive")
            try check(gossipToTheDead >= .zero, "gossipToTheDead", "must not be negative")
            try check(maxMetadataBytes >= 0, "maxMetadataBytes", "must not be negative")
        }
    }
}
