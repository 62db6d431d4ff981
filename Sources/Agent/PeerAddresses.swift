import Basics
import Membership
import Synchronization

/// Where each live agent listens for peers, as this agent's gossip last said: how the
/// shell's own peer traffic (log streams) finds an agent by name.
final class PeerAddresses: Sendable {
    private let addresses = Mutex<[NodeID: Endpoint]>([:])

    /// Keeps the alive and suspect members; dead and departed ones have no address.
    func update(_ members: [Membership.Member]) {
        let live = Dictionary(members.filter { !$0.status.isGone }.map { ($0.id, $0.address) }) { first, _ in first }
        addresses.withLock { $0 = live }
    }

    func address(of node: NodeID) -> Endpoint? {
        addresses.withLock { $0[node] }
    }
}
