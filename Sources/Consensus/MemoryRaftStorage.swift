import Basics

/// ``RaftStorage`` in memory, with the write side a shell needs. A value type: a simulation
/// keeps one per node as its "disk", which survives a crash of the node's volatile state.
package struct MemoryRaftStorage: RaftStorage, Sendable, Hashable {
    package private(set) var hardState = Raft.HardState()
    package private(set) var latestSnapshot = Raft.Snapshot()
    /// `entries[i].index == latestSnapshot.index + 1 + i`.
    package private(set) var storedEntries: [Raft.Entry] = []

    package init() {}

    /// The storage every initial member of a new cluster starts from (as etcd's bootstrap):
    /// one committed `.confChange` entry per member at term 1, so members that join later
    /// learn the initial configuration from the log itself.
    package static func bootstrap(voters: [NodeID], learners: [NodeID] = []) -> MemoryRaftStorage {
        var storage = MemoryRaftStorage()
        let changes = voters.sorted().map { Raft.ConfChange(.addVoter, $0) }
            + learners.sorted().map { Raft.ConfChange(.addLearner, $0) }
        storage.storedEntries = changes.enumerated().map { offset, change in
            Raft.Entry(term: 1, index: UInt64(offset + 1), kind: .confChange, data: change.encoded)
        }
        storage.hardState = Raft.HardState(term: 1, vote: nil, commit: UInt64(changes.count))
        return storage
    }

    // MARK: Read side

    package func initialState() -> (hardState: Raft.HardState, confState: Raft.ConfState) {
        (hardState, latestSnapshot.metadata.confState)
    }

    package var firstIndex: UInt64 { latestSnapshot.index + 1 }
    package var lastIndex: UInt64 { latestSnapshot.index + UInt64(storedEntries.count) }

    package func entries(in range: Range<UInt64>) throws(Raft.StorageError) -> [Raft.Entry] {
        if range.isEmpty { return [] }
        if range.lowerBound < firstIndex { throw .compacted(range.lowerBound) }
        if range.upperBound > lastIndex + 1 { throw .unavailable(range.upperBound - 1) }
        let lo = Int(range.lowerBound - firstIndex)
        return Array(storedEntries[lo ..< lo + range.count])
    }

    package func term(at index: UInt64) throws(Raft.StorageError) -> UInt64 {
        if index == latestSnapshot.index { return latestSnapshot.term }
        if index < latestSnapshot.index { throw .compacted(index) }
        if index > lastIndex { throw .unavailable(index) }
        return storedEntries[Int(index - firstIndex)].term
    }

    package func snapshot() -> Raft.Snapshot { latestSnapshot }

    // MARK: Write side

    package mutating func setHardState(_ state: Raft.HardState) {
        hardState = state
    }

    /// Appends `entries`, first discarding any stored suffix from `entries[0].index` on
    /// (the conflicting tail a new leader overwrote, Raft §5.3). Entries at or below the
    /// snapshot are skipped.
    /// - Throws: `.gap` if `entries` would not start right after or inside the log.
    package mutating func append(_ entries: [Raft.Entry]) throws(Raft.StorageError) {
        guard let first = entries.first else { return }
        if first.index > lastIndex + 1 { throw .gap(expected: lastIndex + 1, got: first.index) }
        let fresh = entries.filter { $0.index >= firstIndex }
        guard let start = fresh.first?.index else { return }
        storedEntries.removeSubrange(Int(start - firstIndex)...)
        storedEntries.append(contentsOf: fresh)
    }

    /// Replaces the whole log with a snapshot received from the leader.
    /// - Throws: `.snapshotOutOfDate` if it is not newer than the held snapshot.
    package mutating func applySnapshot(_ snapshot: Raft.Snapshot) throws(Raft.StorageError) {
        if snapshot.index <= latestSnapshot.index && latestSnapshot.index > 0 {
            throw .snapshotOutOfDate(snapshot.index)
        }
        latestSnapshot = snapshot
        storedEntries = []
    }

    /// Records a snapshot the application made at `snapshot.index` (see
    /// ``RaftNode/compact(through:snapshotData:)``) and discards the entries it covers.
    /// - Throws: `.snapshotOutOfDate` if not newer; `.unavailable` beyond the last entry.
    package mutating func compact(_ snapshot: Raft.Snapshot) throws(Raft.StorageError) {
        if snapshot.index <= latestSnapshot.index { throw .snapshotOutOfDate(snapshot.index) }
        if snapshot.index > lastIndex { throw .unavailable(snapshot.index) }
        storedEntries.removeFirst(Int(snapshot.index - latestSnapshot.index))
        latestSnapshot = snapshot
    }
}
