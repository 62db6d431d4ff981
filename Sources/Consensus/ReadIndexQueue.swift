import Basics

/// Pending linearizable reads on a leader (thesis §6.4), each waiting for a quorum to
/// acknowledge a heartbeat sent after it was registered.
struct ReadIndexQueue: Sendable, Hashable {
    struct Pending: Sendable, Hashable {
        var sequence: UInt64
        var index: UInt64
        var context: [UInt8]
        var acks: [NodeID: Bool]
    }

    /// Registered, awaiting confirmation, oldest first.
    var pending: [Pending] = []
    /// Requested before this leader committed an entry of its term; registered once it has.
    var deferred: [[UInt8]] = []
    var nextSequence: UInt64 = 1

    /// The sequence heartbeats carry: the newest pending round, 0 for none.
    var latestSequence: UInt64 { pending.last?.sequence ?? 0 }
}
