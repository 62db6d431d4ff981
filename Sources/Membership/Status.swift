extension Membership {
    /// A member's liveness in SWIM's terms, plus `left` for a graceful departure.
    package enum Status: String, Sendable, Hashable, CaseIterable {
        case alive
        case suspect
        case dead
        case left

        /// At equal incarnation, the claim with the higher precedence overrides
        /// (memberlist: alive < suspect < dead; a leave is final like death).
        package var precedence: Int {
            switch self {
            case .alive: 0
            case .suspect: 1
            case .dead: 2
            case .left: 3
            }
        }

        /// Dead and left members are not probed and not counted in the cluster size.
        package var isGone: Bool {
            self == .dead || self == .left
        }
    }
}
