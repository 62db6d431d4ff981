import Basics

extension Membership {
    /// One agent as another agent sees it: the unit of gossip.
    ///
    /// A newer incarnation always wins; at equal incarnation the more severe status wins
    /// (``Status/precedence``), which is how SWIM orders suspect/alive/dead claims.
    package struct Member: Sendable, Hashable {
        package var id: NodeID
        /// Where the member accepts peer connections.
        package var address: Endpoint
        package var status: Status
        /// Raised only by the member itself, to refute suspicion (SWIM §4.2).
        package var incarnation: UInt64
        /// Small key/value facts the member publishes about itself: API and DNS addresses,
        /// role, version. Bounded by ``Settings/maxMetadataBytes``.
        package var metadata: [String: String]

        package init(
            id: NodeID,
            address: Endpoint,
            status: Status,
            incarnation: UInt64,
            metadata: [String: String] = [:]
        ) {
            self.id = id
            self.address = address
            self.status = status
            self.incarnation = incarnation
            self.metadata = metadata
        }
    }

    /// A member whose status (or address or metadata) changed in the local view.
    package struct MemberChange: Sendable, Hashable {
        /// `nil` when the member was not known before.
        package var previous: Status?
        package var member: Member

        package init(previous: Status?, member: Member) {
            self.previous = previous
            self.member = member
        }
    }
}
