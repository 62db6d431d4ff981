/// A node's view of the log: the latest snapshot, the entries after it, and how far they
/// are persisted, committed and applied (Raft Figure 2's `log[]`, `commitIndex`,
/// `lastApplied`).
///
/// Invariants: `applied <= committed <= lastIndex`; `stableIndex <= lastIndex`; the entry
/// at `snapshot.index + 1 + i` is `entries[i]`.
struct RaftLog: Sendable, Hashable {
    private(set) var snapshot: Raft.Snapshot
    private(set) var entries: [Raft.Entry]
    private(set) var committed: UInt64
    /// The last index the application has applied (acknowledged via `advance`).
    private(set) var applied: UInt64
    /// The last index handed out in a `Ready` for applying.
    private(set) var applying: UInt64
    /// The last index known to be on disk.
    private(set) var stableIndex: UInt64
    /// Whether `snapshot` was received and is not yet persisted.
    private(set) var snapshotIsPending = false

    init(snapshot: Raft.Snapshot, entries: [Raft.Entry], committed: UInt64) {
        self.snapshot = snapshot
        self.entries = entries
        let last = snapshot.index + UInt64(entries.count)
        self.committed = min(max(committed, snapshot.index), last)
        self.applied = snapshot.index
        self.applying = snapshot.index
        self.stableIndex = last
    }

    var firstIndex: UInt64 { snapshot.index + 1 }
    var lastIndex: UInt64 { snapshot.index + UInt64(entries.count) }
    var lastTerm: UInt64 { term(at: lastIndex) ?? 0 }

    /// The term at `index`, known for the snapshot's index and every held entry.
    func term(at index: UInt64) -> UInt64? {
        if index == snapshot.index { return snapshot.term }
        if index < snapshot.index || index > lastIndex { return nil }
        return entries[Int(index - firstIndex)].term
    }

    func matchTerm(_ index: UInt64, _ term: UInt64) -> Bool { self.term(at: index) == term }

    /// Raft §5.4.1: a candidate's log is at least as up to date as ours.
    func isUpToDate(lastIndex: UInt64, lastTerm: UInt64) -> Bool {
        lastTerm > self.lastTerm || (lastTerm == self.lastTerm && lastIndex >= self.lastIndex)
    }

    /// Entries from `index` on, at most `maxCount` and, beyond the first, at most `maxBytes`
    /// of entry data (etcd's `MaxSizePerMsg`: one append must fit in a frame); `nil` if
    /// `index` is compacted.
    func entries(from index: UInt64, maxCount: Int, maxBytes: Int = .max) -> [Raft.Entry]? {
        if index < firstIndex { return nil }
        if index > lastIndex { return [] }
        let lo = Int(index - firstIndex)
        var hi = lo
        var bytes = 0
        while hi < min(entries.count, lo + maxCount) {
            bytes += entries[hi].data.count
            if hi > lo && bytes > maxBytes { break }
            hi += 1
        }
        return Array(entries[lo ..< hi])
    }

    /// Entries in `lo ... hi` that are held (used for scanning, not for sending).
    func slice(_ lo: UInt64, _ hi: UInt64) -> ArraySlice<Raft.Entry> {
        let from = max(lo, firstIndex)
        let to = min(hi, lastIndex)
        if from > to { return [] }
        return entries[Int(from - firstIndex) ... Int(to - firstIndex)]
    }

    var unstableEntries: [Raft.Entry] {
        stableIndex >= lastIndex ? [] : Array(slice(stableIndex + 1, lastIndex))
    }

    // MARK: Appending

    /// Appends entries whose first index is at most `lastIndex + 1`, truncating the
    /// conflicting suffix (Raft Figure 2, AppendEntries step 3).
    mutating func append(_ new: [Raft.Entry]) {
        guard let first = new.first else { return }
        precondition(first.index > committed, "truncating committed entry \(first.index) <= \(committed)")
        precondition(first.index <= lastIndex + 1, "gap: \(first.index) after \(lastIndex)")
        entries.removeSubrange(Int(first.index - firstIndex)...)
        entries.append(contentsOf: new)
        stableIndex = min(stableIndex, first.index - 1)
    }

    /// The follower side of AppendEntries (Raft Figure 2, steps 2–5).
    /// - Returns: the last index now known to match the leader, or `nil` on a mismatch.
    mutating func maybeAppend(prevIndex: UInt64, prevTerm: UInt64, commit: UInt64, entries new: [Raft.Entry]) -> UInt64? {
        guard matchTerm(prevIndex, prevTerm) else { return nil }
        let lastNew = prevIndex + UInt64(new.count)
        if let conflict = new.firstIndex(where: { !matchTerm($0.index, $0.term) }) {
            append(Array(new[conflict...]))
        }
        commitTo(min(commit, lastNew))
        return lastNew
    }

    /// The largest index at or below `index` whose term is at most `term`, and its term
    /// (0 when the term is compacted away).
    func findConflictByTerm(index: UInt64, term: UInt64) -> (index: UInt64, term: UInt64) {
        var i = min(index, lastIndex)
        while true {
            guard let t = self.term(at: i) else { return (i, 0) }
            if t <= term || i == 0 { return (i, t) }
            i -= 1
        }
    }

    // MARK: Commit and apply

    mutating func commitTo(_ index: UInt64) {
        guard index > committed else { return }
        precondition(index <= lastIndex, "commit \(index) beyond last index \(lastIndex)")
        committed = index
    }

    /// Commits `index` if it is of `term` (Raft §5.4.2: only current-term entries commit by
    /// counting replicas).
    mutating func maybeCommit(index: UInt64, term: UInt64) -> Bool {
        guard index > committed, self.term(at: index) == term else { return false }
        committed = index
        return true
    }

    /// Committed entries not yet handed out, marking them handed out.
    mutating func takeCommittedEntries() -> [Raft.Entry] {
        let from = max(applying, snapshot.index) + 1
        guard committed >= from else { return [] }
        applying = committed
        return Array(slice(from, committed))
    }

    var hasCommittedToHandOut: Bool { committed > max(applying, snapshot.index) }

    mutating func appliedTo(_ index: UInt64) {
        applied = max(applied, index)
        applying = max(applying, applied)
    }

    mutating func stableTo(index: UInt64, term: UInt64) {
        // A conflicting append after the Ready was taken truncated what was persisted.
        if self.term(at: index) == term, index > stableIndex { stableIndex = index }
    }

    // MARK: Snapshots

    /// Replaces the log with a snapshot from the leader (thesis §5.1).
    mutating func restore(_ new: Raft.Snapshot) {
        snapshot = new
        entries = []
        committed = new.index
        applying = new.index
        stableIndex = new.index
        snapshotIsPending = true
    }

    mutating func snapshotPersisted(index: UInt64) {
        if snapshot.index == index { snapshotIsPending = false }
        applied = max(applied, index)
        applying = max(applying, applied)
    }

    /// Discards the entries a snapshot taken by the application covers.
    mutating func compact(_ new: Raft.Snapshot) {
        guard new.index > snapshot.index, new.index <= applied else { return }
        entries.removeFirst(Int(new.index - snapshot.index))
        snapshot = new
    }
}
