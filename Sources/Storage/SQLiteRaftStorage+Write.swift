package import Basics
package import Consensus

extension SQLiteRaftStorage {
    /// Persists one ``Raft/Ready``'s durable part; see ``persist(hardState:entries:snapshot:)``.
    package func persist(_ ready: Raft.Ready) throws(StorageError) {
        try persist(hardState: ready.hardState, entries: ready.entriesToAppend, snapshot: ready.snapshotToInstall)
    }

    /// Writes a snapshot from the leader, then entries, then the hard state (the order
    /// ``Raft/Ready`` prescribes) in ONE transaction, durable (fsynced) when this returns. On
    /// a throw nothing was written. A hard state whose only change is the commit index is
    /// written without an fsync (``Raft/HardState/mustSync(over:)``): the next durable write
    /// carries it to disk, since the write-ahead log is synced as a whole.
    ///
    /// - Parameters:
    ///   - snapshot: replaces the whole log, as ``RaftNode`` does on install (thesis §5.1);
    ///     MUST be newer than the held one.
    ///   - entries: contiguous; they MUST start at or before `lastIndex + 1`. Stored entries
    ///     from `entries[0].index` on are discarded first (the conflicting suffix a new leader
    ///     overwrote, Raft §5.3); entries inside the snapshot are skipped.
    ///   - alongside: more writes that MUST commit with these or not at all, run in the same
    ///     transaction after the snapshot is written (the application's state for that
    ///     snapshot: a crash then leaves the agent wholly before or wholly after the install).
    /// - Throws: `.rejected(.gap)`, `.rejected(.snapshotOutOfDate)`, or an SQLite failure.
    package func persist(
        hardState newHardState: Raft.HardState? = nil,
        entries: [Raft.Entry] = [],
        snapshot: Raft.Snapshot? = nil,
        alongside: ((SQLiteDatabase) throws(StorageError) -> Void)? = nil
    ) throws(StorageError) {
        if newHardState == nil && entries.isEmpty && snapshot == nil { return }
        var metadata = snapshotMetadata
        var last = lastIndex
        let durable = snapshot != nil || !entries.isEmpty || (newHardState?.mustSync(over: hardState) ?? false)
        try database.transaction(durable: durable) { () throws(StorageError) in
            if let snapshot {
                if snapshot.index <= metadata.index && metadata.index > 0 {
                    throw StorageError(path: path, .rejected(.snapshotOutOfDate(snapshot.index)))
                }
                try database.execute("DELETE FROM raft_log")
                try RaftRows.writeSnapshot(snapshot, to: database)
                metadata = snapshot.metadata
                last = snapshot.index
            }
            try alongside?(database)
            if let first = entries.first {
                if first.index > last + 1 {
                    throw StorageError(path: path, .rejected(.gap(expected: last + 1, got: first.index)))
                }
                for (offset, entry) in entries.enumerated() where entry.index != first.index + UInt64(offset) {
                    throw StorageError(path: path, .rejected(.gap(expected: first.index + UInt64(offset), got: entry.index)))
                }
                let fresh = entries.drop { $0.index <= metadata.index }
                if let start = fresh.first?.index {
                    let truncate = try database.prepare("DELETE FROM raft_log WHERE idx >= ?1")
                    defer { truncate.reset() }
                    try truncate.bind(1, start)
                    try truncate.run()
                    for entry in fresh { try RaftRows.insert(entry, into: database) }
                    last = fresh.last?.index ?? last
                }
            }
            if let newHardState { try RaftRows.writeHardState(newHardState, to: database) }
        }
        snapshotMetadata = metadata
        lastIndex = last
        if let newHardState { hardState = newHardState }
    }

    /// Records a snapshot the application took at `snapshot.index` and deletes the entries it
    /// covers, durably in one transaction (thesis §5.1).
    /// - Throws: `.rejected(.snapshotOutOfDate)` if not newer than the held snapshot,
    ///   `.rejected(.unavailable)` beyond the last entry.
    package func compact(through snapshot: Raft.Snapshot) throws(StorageError) {
        if snapshot.index <= snapshotMetadata.index {
            throw StorageError(path: path, .rejected(.snapshotOutOfDate(snapshot.index)))
        }
        if snapshot.index > lastIndex {
            throw StorageError(path: path, .rejected(.unavailable(snapshot.index)))
        }
        try database.transaction { () throws(StorageError) in
            let delete = try database.prepare("DELETE FROM raft_log WHERE idx <= ?1")
            defer { delete.reset() }
            try delete.bind(1, snapshot.index)
            try delete.run()
            try RaftRows.writeSnapshot(snapshot, to: database)
        }
        snapshotMetadata = snapshot.metadata
    }

    /// Writes the state every initial member of a new cluster starts from, exactly as
    /// ``MemoryRaftStorage/bootstrap(voters:learners:)``: one committed `.confChange` entry
    /// per member at term 1 (configuration at index 0 empty), so later joiners learn the
    /// initial configuration from the log.
    /// - Throws: `.alreadyInitialized` unless the store is empty.
    package func bootstrap(voters: [NodeID], learners: [NodeID] = []) throws(StorageError) {
        guard lastIndex == 0, hardState == Raft.HardState() else {
            throw StorageError(path: path, .alreadyInitialized(lastIndex: lastIndex, term: hardState.term))
        }
        let memory = MemoryRaftStorage.bootstrap(voters: voters, learners: learners)
        try persist(hardState: memory.hardState, entries: memory.storedEntries)
    }
}
