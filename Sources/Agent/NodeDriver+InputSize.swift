import AgentCore
import Consensus
import Membership

extension NodeDriver.Input {
    /// About how many bytes the input holds while it waits in the mailbox: the payloads
    /// that can be large (entries, snapshots, proposals, log chunks) and a small constant
    /// for the rest, so the mailbox can bound what a flood of large frames makes it hold.
    var approximateBytes: Int {
        let small = 64
        switch self {
        case .peer(.raft(let message)):
            switch message.payload {
            case .append(let append): return append.entries.reduce(small) { $0 + $1.data.count + 32 }
            case .snapshot(let snapshot): return small + snapshot.data.count
            default: return small
            }
        case .peer(.forward(.propose(_, _, _, let data))): return small + data.count
        case .peer(.logs(.chunk(_, _, _, _, let data, _))): return small + data.count
        case .peer(.gossip(let envelope)): return small * (1 + envelope.gossip.count)
        case .event(.propose(_, let data, _)): return small + data.count
        case .event(.snapshotTaken(_, let data, _)): return small + data.count
        default: return small
        }
    }
}
