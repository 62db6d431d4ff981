import Basics
import Synchronization

extension Wire {
    /// Drops sealed frames this agent has already taken, and frames stamped too far from its
    /// own clock (a recording replayed after the window, or a sender whose clock is wrong).
    ///
    /// Per sender it keeps the highest stamp and every stamp seen within ``reorderWindow``
    /// below it: frames from one sender may arrive slightly out of order (two links, a
    /// reconnect), so a stamp below the highest is still taken once if it is inside the
    /// window. Memory is bounded by the membership, not by what frames claim: the agent
    /// names its members (``remember(members:)``) and their state is always kept; senders
    /// outside it (an agent joining, or a key holder inventing names) share a pool of
    /// ``maxStrangers``, where a new one evicts the stranger heard from least recently —
    /// never a member, so forged names cannot make the guard forget a member's stamps.
    /// Per sender, only the stamps of one window are kept (pruned as the highest moves).
    package final class ReplayGuard: Sendable {
        /// How far a stamp may be from this agent's clock (clocks of a cluster must agree to
        /// within this; NTP keeps them within milliseconds).
        package static let clockWindow: UInt64 = 30_000_000
        /// How far below a sender's highest stamp a frame is still taken (once).
        package static let reorderWindow: UInt64 = 2_000_000
        /// Senders outside the membership whose stamps are kept at once.
        package static let maxStrangers = 64

        private struct Seen {
            var highest: UInt64
            var stamps: Set<UInt64>
            var sincePrune = 0
        }

        private struct State {
            var members: Set<NodeID> = []
            var seen: [NodeID: Seen] = [:]
            /// The senders in `seen` that are not members.
            var strangers: Set<NodeID> = []

            /// Makes room for one more stranger by forgetting the one with the oldest
            /// highest stamp.
            mutating func evictStrangers(toHold capacity: Int) {
                while strangers.count > capacity {
                    // Ties broken by name: the choice must not depend on hashing.
                    guard let oldest = strangers.min(by: { (seen[$0]?.highest ?? 0, $0.name) < (seen[$1]?.highest ?? 0, $1.name) }) else { return }
                    strangers.remove(oldest)
                    seen[oldest] = nil
                }
            }
        }

        private let state = Mutex(State())
        private let wallMicros: @Sendable () -> UInt64

        package init(wallMicros: @escaping @Sendable () -> UInt64) {
            self.wallMicros = wallMicros
        }

        /// The agents whose stamps are always kept: the members gossip knows. A sender that
        /// leaves the set keeps its stamps as a stranger (so its recent frames still cannot
        /// be replayed) until strangers evict it.
        package func remember(members: Set<NodeID>) {
            state.withLock { state in
                let left = state.members.subtracting(members)
                state.members = members
                state.strangers.subtract(members)
                let remembered = left.filter { state.seen[$0] != nil }
                state.strangers.formUnion(remembered)
                state.evictStrangers(toHold: Self.maxStrangers)
            }
        }

        /// Senders whose stamps are kept now, members and strangers (for tests and metrics).
        package var sendersKept: Int { state.withLock { $0.seen.count } }

        /// - Throws: ``DecodeError/replayed(_:)`` when the frame must be dropped.
        package func admit(_ header: SealedHeader) throws(Wire.DecodeError) {
            let now = wallMicros()
            let distance = header.stamp > now ? header.stamp - now : now - header.stamp
            guard distance <= Self.clockWindow else {
                throw .replayed("stamped \(distance / 1_000_000) s away from this agent's clock")
            }
            let verdict: String? = state.withLock { state in
                guard var seen = state.seen[header.sender] else {
                    if !state.members.contains(header.sender) {
                        state.evictStrangers(toHold: Self.maxStrangers - 1)
                        state.strangers.insert(header.sender)
                    }
                    state.seen[header.sender] = Seen(highest: header.stamp, stamps: [header.stamp])
                    return nil
                }
                if header.stamp + Self.reorderWindow <= seen.highest { return "older than the reorder window" }
                guard seen.stamps.insert(header.stamp).inserted else { return "already taken" }
                if header.stamp > seen.highest { seen.highest = header.stamp }
                seen.sincePrune += 1
                if seen.sincePrune >= 1_024 {
                    seen.sincePrune = 0
                    let floor = seen.highest - min(seen.highest, Self.reorderWindow)
                    seen.stamps = seen.stamps.filter { $0 > floor }
                }
                state.seen[header.sender] = seen
                return nil
            }
            if let verdict { throw .replayed(verdict) }
        }
    }
}
