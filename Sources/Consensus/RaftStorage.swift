/// The read side of a node's durable state, as etcd's `raft.Storage`: what a node loads when
/// it starts. The shell writes through its own implementation (``MemoryRaftStorage`` here,
/// SQLite in `Storage`), following each ``Raft/Ready``.
///
/// The log is a snapshot (possibly empty, at index 0) followed by the entries
/// `firstIndex ... lastIndex`; `term(at: firstIndex - 1)` is the snapshot's term.
package protocol RaftStorage {
    /// The persisted hard state, and the configuration of the latest snapshot.
    func initialState() throws(Raft.StorageError) -> (hardState: Raft.HardState, confState: Raft.ConfState)
    /// Entries with indices in `range`.
    /// - Throws: `.compacted` or `.unavailable` when `range` leaves the held entries.
    func entries(in range: Range<UInt64>) throws(Raft.StorageError) -> [Raft.Entry]
    /// The term of the entry at `index`, for `firstIndex - 1 ... lastIndex`.
    func term(at index: UInt64) throws(Raft.StorageError) -> UInt64
    /// The index after the snapshot.
    var firstIndex: UInt64 { get }
    /// The last index in the log (the snapshot's index when there are no entries).
    var lastIndex: UInt64 { get }
    /// The latest snapshot.
    func snapshot() throws(Raft.StorageError) -> Raft.Snapshot
}
