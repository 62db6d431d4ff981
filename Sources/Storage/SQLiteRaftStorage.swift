package import Consensus

/// ``RaftStorage`` in SQLite: the log, hard state and latest snapshot of one node, in the
/// agent's `<data-dir>/ordinal.db` (layout in ``Schema``).
///
/// Contract with the shell: for every ``Raft/Ready`` it MUST call ``persist(_:)`` (one durable
/// transaction) before sending `messagesAfterPersist`; after taking a snapshot with
/// ``RaftNode/compact(through:snapshotData:)`` it MUST call ``compact(through:)``.
///
/// Opening an existing file verifies it before Raft sees any of it (a node that restarts on
/// a damaged log could vote twice or lose acknowledged entries): schema identity, SQLite's
/// `quick_check`, the hard-state and snapshot checksums, and every entry's checksum and
/// contiguity from the snapshot onward. A damaged file is refused with a ``StorageError``
/// naming it and the first problem found.
///
/// `@unchecked Sendable`: the agent hands it between tasks but uses it from one task at a
/// time, as it does the ``RaftNode`` it feeds. It is not safe for concurrent calls.
package final class SQLiteRaftStorage: RaftStorage, @unchecked Sendable {
    let database: SQLiteDatabase
    /// Cached after each commit: the node reads these often and they change only here.
    package internal(set) var hardState: Raft.HardState
    var snapshotMetadata: Raft.SnapshotMetadata
    package internal(set) var lastIndex: UInt64

    /// Opens the store at `path`, creating an empty one if the file does not exist.
    /// - Throws: ``StorageError`` if the file is not an Ordinal database, is damaged, or
    ///   cannot be opened.
    package init(path: String) throws(StorageError) {
        database = try Schema.open(path: path)
        hardState = try RaftRows.readHardState(from: database)
        snapshotMetadata = try RaftRows.readSnapshot(from: database).metadata
        lastIndex = snapshotMetadata.index
        lastIndex = try verifyLog()
        if hardState.commit > lastIndex {
            throw StorageError(path: path, .invalidRow(
                .hardState, reason: "commit index \(hardState.commit) is beyond the last entry \(lastIndex)"))
        }
    }

    /// The database file.
    package var path: String { database.path }

    // MARK: RaftStorage

    package func initialState() -> (hardState: Raft.HardState, confState: Raft.ConfState) {
        (hardState, snapshotMetadata.confState)
    }

    package var firstIndex: UInt64 { snapshotMetadata.index + 1 }

    package func entries(in range: Range<UInt64>) throws(Raft.StorageError) -> [Raft.Entry] {
        if range.isEmpty { return [] }
        if range.lowerBound < firstIndex { throw .compacted(range.lowerBound) }
        if range.upperBound > lastIndex + 1 { throw .unavailable(range.upperBound - 1) }
        do throws(StorageError) {
            let entries = try readEntries(range)
            // Verified at open and written only here, so a short read means the file changed
            // under us.
            if entries.count != range.count {
                throw StorageError(path: path, .logGap(
                    after: entries.last?.index ?? range.lowerBound - 1,
                    next: range.upperBound))
            }
            return entries
        } catch {
            throw error.asRaftError
        }
    }

    package func term(at index: UInt64) throws(Raft.StorageError) -> UInt64 {
        if index == snapshotMetadata.index { return snapshotMetadata.term }
        if index < snapshotMetadata.index { throw .compacted(index) }
        if index > lastIndex { throw .unavailable(index) }
        return try entries(in: index ..< index + 1)[0].term
    }

    package func snapshot() throws(Raft.StorageError) -> Raft.Snapshot {
        do {
            return try RaftRows.readSnapshot(from: database)
        } catch {
            throw error.asRaftError
        }
    }

    // MARK: Reading and verifying

    func readEntries(_ range: Range<UInt64>) throws(StorageError) -> [Raft.Entry] {
        let select = try database.prepare(RaftRows.selectEntries)
        defer { select.reset() }
        try select.bind(1, range.lowerBound)
        try select.bind(2, range.upperBound)
        var entries: [Raft.Entry] = []
        while try select.step() {
            entries.append(try RaftRows.entry(from: select, path: path))
        }
        return entries
    }

    /// Walks the whole log once: it MUST start right after the snapshot, be contiguous, and
    /// every row MUST match its checksum.
    /// - Returns: the last index.
    private func verifyLog() throws(StorageError) -> UInt64 {
        let select = try database.prepare(RaftRows.selectEntries)
        defer { select.reset() }
        try select.bind(1, 0 as Int64)
        try select.bind(2, Int64.max)
        var previous = snapshotMetadata.index
        while try select.step() {
            let index = select.uint64(0)
            if index != previous + 1 {
                throw StorageError(path: path, .logGap(after: previous, next: index))
            }
            _ = try RaftRows.entry(from: select, path: path)
            previous = index
        }
        return previous
    }
}
