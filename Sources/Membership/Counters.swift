extension Membership {
    /// Running totals of one member's protocol work. They wrap rather than trap: a counter is
    /// read as a rate, and no agent lives long enough to wrap 64 bits.
    package struct Counters: Sendable, Hashable {
        /// Protocol periods that pinged a member (SWIM's direct probes).
        package var probes: UInt64 = 0
        /// Suspicions of, or death claims about, this member that it refuted.
        package var refutations: UInt64 = 0

        package init() {}
    }
}
