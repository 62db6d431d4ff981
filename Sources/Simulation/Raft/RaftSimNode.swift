import Basics
import Consensus

/// One simulated server: a ``Consensus/RaftNode`` (volatile, lost on a crash), its "disk"
/// (a ``Consensus/MemoryRaftStorage`` holding exactly what was persisted through `Ready`),
/// and a toy state machine that folds applied entries into a hash chain.
package struct RaftSimNode: Sendable {
    package let id: NodeID
    /// Nanoseconds between this node's ticks: its clock rate, drift included.
    package let tickPeriod: UInt64
    package var raft: RaftNode?
    package var disk: MemoryRaftStorage
    /// Bumped at every crash, so events scheduled for an earlier life are ignored.
    package var incarnation = 0
    package var readyScheduled = false
    package var machine = Machine()
    /// Highest commit index seen in this life (commit must not move backwards).
    package var lastCommit: UInt64 = 0
    /// Whether this life has been seen as leader of its current term.
    package var leaderTermSeen: UInt64 = 0

    package var isUp: Bool { raft != nil }

    /// The replicated toy state: how far it applied and a hash chain over what.
    package struct Machine: Sendable, Hashable {
        package var index: UInt64 = 0
        package var hash: UInt64 = 0xCBF2_9CE4_8422_2325

        package mutating func apply(_ entry: Raft.Entry) {
            index = entry.index
            for word in [entry.index, entry.term, UInt64(entry.kind.rawValue)] { mix(word) }
            for byte in entry.data { mix(UInt64(byte)) }
        }

        private mutating func mix(_ word: UInt64) {
            hash ^= word
            hash = hash &* 0x0000_0100_0000_01B3
        }

        package var encoded: [UInt8] {
            (0 ..< 8).map { UInt8(truncatingIfNeeded: index >> (8 * $0)) }
                + (0 ..< 8).map { UInt8(truncatingIfNeeded: hash >> (8 * $0)) }
        }

        package init() {}

        package init?(decoding bytes: [UInt8]) {
            guard bytes.count == 16 else { return nil }
            index = bytes[0 ..< 8].enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * $1.offset) }
            hash = bytes[8 ..< 16].enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * $1.offset) }
        }
    }
}
