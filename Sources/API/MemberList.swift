import Hummingbird
import Basics
package import Membership

/// `GET /ordinal/v1/members`: the membership as the answering agent sees it.
package struct MemberList: ResponseCodable, Sendable, Equatable {
    /// The agent that answered.
    package var observer: String
    package var members: [Entry]

    /// One member. `state` is alive, suspect, dead or left.
    package struct Entry: Codable, Sendable, Equatable {
        package var name: String
        package var address: String
        package var state: String
        package var incarnation: UInt64
        package var metadata: [String: String]

        package init(_ member: Membership.Member) {
            name = member.id.name
            address = member.address.description
            state = member.status.rawValue
            incarnation = member.incarnation
            metadata = member.metadata
        }
    }

    package init(observer: String, members: [Membership.Member]) {
        self.observer = observer
        self.members = members.map(Entry.init)
    }
}
