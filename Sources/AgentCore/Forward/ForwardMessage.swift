import Basics

/// A proposal a follower hands to the leader over the peer transport (etcd's proposal
/// forwarding, `MsgProp`), and the leader's refusal. A commit needs no answer: the
/// proposer learns it when it applies the entry, which names it (``ForwardedEntry``).
package enum ForwardMessage: Sendable, Hashable {
    /// "Replicate this for me": `id` is the proposer's own, unique while it lives.
    case propose(from: NodeID, to: NodeID, id: UInt64, data: [UInt8])
    /// The leader could not take proposal `id`; `notLeader` asks the proposer to try the
    /// leader it knows next.
    case refused(from: NodeID, to: NodeID, id: UInt64, notLeader: Bool, reason: String)

    package var from: NodeID {
        switch self {
        case .propose(let from, _, _, _), .refused(let from, _, _, _, _): from
        }
    }

    package var to: NodeID {
        switch self {
        case .propose(_, let to, _, _), .refused(_, let to, _, _, _): to
        }
    }
}
