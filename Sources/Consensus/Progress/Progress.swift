/// The leader's view of one follower (Raft Figure 2's `nextIndex[]`/`matchIndex[]`), with
/// etcd's three flow-control states.
struct Progress: Sendable, Hashable {
    enum State: Hashable, Sendable {
        /// Searching for the match point: one append at a time.
        case probe
        /// Match known: appends are pipelined, bounded by ``Inflights``.
        case replicate
        /// A snapshot is on its way; nothing else is sent.
        case snapshot
    }

    /// Highest index known to be replicated (persisted) on the follower.
    var match: UInt64
    /// Next index to send.
    var next: UInt64
    var state: State = .probe
    /// In `.probe`: an append is out and unanswered.
    var probeSent = false
    /// In `.snapshot`: the snapshot's index, and ticks spent waiting for it.
    var pendingSnapshot: UInt64 = 0
    var snapshotTicks = 0
    /// Heard from within the current CheckQuorum window (thesis §6.2).
    var recentActive = false
    /// Rejections in a row of appends at or past `match` from a log shorter than `match`
    /// (reset by any success). One can be a rejection delayed past a later success; a
    /// follower whose disk was lost or replaced rejects every retry. Raft cannot catch it up
    /// in place — its match index is a promise it no longer keeps — so at
    /// ``lostLogStrikes`` it must leave the configuration and join afresh.
    var shortLogRejections = 0
    static let lostLogStrikes = 3
    var lostLog: Bool { shortLogRejections >= Self.lostLogStrikes }
    var inflights: Inflights

    init(next: UInt64, maxInflight: Int) {
        self.match = 0
        self.next = next
        self.inflights = Inflights(capacity: maxInflight)
    }

    var isPaused: Bool {
        switch state {
        case .probe: probeSent
        case .replicate: inflights.isFull
        case .snapshot: true
        }
    }

    mutating func becomeProbe() {
        next = state == .snapshot ? max(match + 1, pendingSnapshot + 1) : match + 1
        state = .probe
        probeSent = false
        pendingSnapshot = 0
        inflights.reset()
    }

    mutating func becomeReplicate() {
        state = .replicate
        next = match + 1
        inflights.reset()
    }

    mutating func becomeSnapshot(index: UInt64) {
        state = .snapshot
        pendingSnapshot = index
        snapshotTicks = 0
        inflights.reset()
    }

    /// Records that the follower matches through `index`. - Returns: whether `match` grew.
    mutating func maybeUpdate(_ index: UInt64) -> Bool {
        var updated = false
        if match < index {
            match = index
            probeSent = false
            updated = true
        }
        next = max(next, index + 1)
        return updated
    }

    /// Backs off after a rejection of the append whose `prevIndex` was `rejected`, to
    /// `matchHint + 1` (Raft §5.3 with fast backtracking). - Returns: `false` when the
    /// rejection is stale.
    mutating func maybeDecrTo(rejected: UInt64, matchHint: UInt64) -> Bool {
        if state == .replicate {
            if rejected <= match { return false }
            next = match + 1
            return true
        }
        if next == 0 || next - 1 != rejected { return false }
        next = max(min(rejected, matchHint + 1), match + 1)
        probeSent = false
        return true
    }

    /// Accounts for an append that ends at `lastIndex` and holds `count` entries.
    mutating func sentAppend(lastIndex: UInt64, count: Int) {
        switch state {
        case .replicate:
            if count > 0 {
                next = lastIndex + 1
                inflights.add(lastIndex)
            }
        case .probe:
            probeSent = true
        case .snapshot:
            break
        }
    }
}
