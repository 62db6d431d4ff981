import Basics
import Consensus
import Storage
import Testing

/// One contract, every implementation: what ``RaftStorage`` readers and the shell's writes
/// must do, run against ``MemoryRaftStorage`` and ``SQLiteRaftStorage``. For SQLite every
/// test also reopens the file at the end and expects to read back exactly the same state.
@Suite("RaftStorage contract")
struct RaftStorageContractTests {
    /// Compares the state before and after a restart (SQLite only; memory has no restart).
    private func expectSurvivesRestart(_ store: any ContractStore) throws {
        guard let sqlite = store as? SQLiteStore else { return }
        let before = try StoreImage(sqlite.reader)
        try sqlite.reopen()
        #expect(try StoreImage(sqlite.reader) == before)
    }

    @Test(arguments: StoreKind.allCases)
    func emptyStore_hasNoEntriesAndZeroState(kind: StoreKind) throws {
        let store = try kind.make()
        let s = store.reader
        #expect(s.firstIndex == 1)
        #expect(s.lastIndex == 0)
        #expect(try s.term(at: 0) == 0)
        #expect(try s.entries(in: 1 ..< 1) == [])
        #expect(try s.initialState().hardState == Raft.HardState())
        #expect(try s.initialState().confState == Raft.ConfState())
        #expect(try s.snapshot() == Raft.Snapshot())
        #expect(throws: Raft.StorageError.unavailable(1)) { try s.entries(in: 1 ..< 2) }
        #expect(throws: Raft.StorageError.unavailable(1)) { try s.term(at: 1) }
        try expectSurvivesRestart(store)
    }

    @Test(arguments: StoreKind.allCases)
    func appendedEntries_areReadBackInOrder(kind: StoreKind) throws {
        let store = try kind.make()
        let written = entries(1 ... 3, term: 1) + [entry(4, term: 2, kind: .noop), entry(5, term: 2, "", kind: .confChange)]
        try store.append(Array(written[0 ..< 2]))
        try store.append(Array(written[2...]))
        #expect(store.reader.lastIndex == 5)
        #expect(try store.reader.entries(in: 1 ..< 6) == written)
        #expect(try store.reader.entries(in: 2 ..< 4) == Array(written[1 ..< 3]))
        #expect(try store.reader.term(at: 3) == 1)
        #expect(try store.reader.term(at: 4) == 2)
        try expectSurvivesRestart(store)
    }

    @Test(arguments: StoreKind.allCases)
    func emptyData_isStoredAsEmpty(kind: StoreKind) throws {
        let store = try kind.make()
        let empty = Raft.Entry(term: 1, index: 1, kind: .noop, data: [])
        try store.append([empty])
        #expect(try store.reader.entries(in: 1 ..< 2) == [empty])
        try expectSurvivesRestart(store)
    }

    /// Raft §5.3: a follower deletes an entry that conflicts with the leader's, and all that
    /// follow it.
    @Test(arguments: StoreKind.allCases)
    func conflictingEntries_truncateTheStoredSuffix(kind: StoreKind) throws {
        let store = try kind.make()
        try store.append(entries(1 ... 5, term: 1))
        try store.append(entries(3 ... 4, term: 2))
        #expect(store.reader.lastIndex == 4)
        #expect(try store.reader.entries(in: 1 ..< 5) == entries(1 ... 2, term: 1) + entries(3 ... 4, term: 2))
        #expect(throws: Raft.StorageError.unavailable(5)) { try store.reader.term(at: 5) }
        try expectSurvivesRestart(store)
    }

    @Test(arguments: StoreKind.allCases)
    func entriesLeavingAHole_areRefusedAndChangeNothing(kind: StoreKind) throws {
        let store = try kind.make()
        try store.append(entries(1 ... 3, term: 1))
        #expect(throws: Raft.StorageError.gap(expected: 4, got: 6)) {
            try store.persist(hardState: Raft.HardState(term: 9), entries: entries(6 ... 7, term: 1), snapshot: nil)
        }
        #expect(store.reader.lastIndex == 3)
        #expect(try store.reader.initialState().hardState == Raft.HardState())
        try expectSurvivesRestart(store)
    }

    @Test(arguments: StoreKind.allCases)
    func hardState_isReturnedByInitialState(kind: StoreKind) throws {
        let store = try kind.make()
        try store.append(entries(1 ... 4, term: 3))
        let state = Raft.HardState(term: 3, vote: NodeID("a2"), commit: 4)
        try store.persist(hardState: state, entries: [], snapshot: nil)
        #expect(try store.reader.initialState().hardState == state)
        let unvoted = Raft.HardState(term: 4, vote: nil, commit: 4)
        try store.persist(hardState: unvoted, entries: [], snapshot: nil)
        #expect(try store.reader.initialState().hardState == unvoted)
        try expectSurvivesRestart(store)
    }

    /// Thesis §5.1: an installed snapshot replaces the log and the configuration.
    @Test(arguments: StoreKind.allCases)
    func installedSnapshot_replacesTheLog(kind: StoreKind) throws {
        let store = try kind.make()
        try store.append(entries(1 ... 5, term: 1))
        let snap = snapshot(index: 10, term: 3, voters: ["a1", "a2"], data: "kv-state")
        try store.persist(hardState: Raft.HardState(term: 3, vote: nil, commit: 10), entries: [], snapshot: snap)
        let s = store.reader
        #expect(s.firstIndex == 11)
        #expect(s.lastIndex == 10)
        #expect(try s.term(at: 10) == 3)
        #expect(try s.snapshot() == snap)
        #expect(try s.initialState().confState == snap.metadata.confState)
        #expect(throws: Raft.StorageError.compacted(9)) { try s.term(at: 9) }
        #expect(throws: Raft.StorageError.compacted(5)) { try s.entries(in: 5 ..< 6) }

        try store.append(entries(11 ... 12, term: 3))
        #expect(try store.reader.entries(in: 11 ..< 13) == entries(11 ... 12, term: 3))
        #expect(throws: Raft.StorageError.snapshotOutOfDate(7)) {
            try store.persist(hardState: nil, entries: [], snapshot: snapshot(index: 7, term: 2))
        }
        try expectSurvivesRestart(store)
    }

    @Test(arguments: StoreKind.allCases)
    func snapshotEntriesAndHardState_inOneBatch(kind: StoreKind) throws {
        let store = try kind.make()
        let snap = snapshot(index: 20, term: 4)
        let state = Raft.HardState(term: 5, vote: NodeID("a3"), commit: 21)
        try store.persist(hardState: state, entries: entries(20 ... 22, term: 5), snapshot: snap)
        // Entry 20 lies inside the snapshot and is skipped.
        #expect(store.reader.firstIndex == 21)
        #expect(store.reader.lastIndex == 22)
        #expect(try store.reader.term(at: 20) == 4)
        #expect(try store.reader.entries(in: 21 ..< 23) == entries(21 ... 22, term: 5))
        #expect(try store.reader.initialState().hardState == state)
        try expectSurvivesRestart(store)
    }

    @Test(arguments: StoreKind.allCases)
    func compaction_discardsTheCoveredPrefix(kind: StoreKind) throws {
        let store = try kind.make()
        try store.append(entries(1 ... 10, term: 2))
        let snap = snapshot(index: 6, term: 2)
        try store.compact(snap)
        let s = store.reader
        #expect(s.firstIndex == 7)
        #expect(s.lastIndex == 10)
        #expect(try s.term(at: 6) == 2)
        #expect(try s.snapshot() == snap)
        #expect(try s.entries(in: 7 ..< 11) == entries(7 ... 10, term: 2))
        #expect(throws: Raft.StorageError.compacted(6)) { try s.entries(in: 6 ..< 8) }
        #expect(throws: Raft.StorageError.compacted(5)) { try s.term(at: 5) }
        #expect(throws: Raft.StorageError.snapshotOutOfDate(6)) { try store.compact(snap) }
        #expect(throws: Raft.StorageError.unavailable(11)) { try store.compact(snapshot(index: 11, term: 2)) }
        try expectSurvivesRestart(store)
    }

    @Test(arguments: StoreKind.allCases)
    func appendOverlappingTheSnapshot_skipsCoveredEntries(kind: StoreKind) throws {
        let store = try kind.make()
        try store.append(entries(1 ... 8, term: 1))
        try store.compact(snapshot(index: 6, term: 1))
        try store.append(entries(5 ... 7, term: 1) + [entry(8, term: 2)])
        #expect(store.reader.firstIndex == 7)
        #expect(try store.reader.entries(in: 7 ..< 9) == [entry(7, term: 1), entry(8, term: 2)])
        try expectSurvivesRestart(store)
    }

    @Test(arguments: StoreKind.allCases)
    func readsOutsideTheLog_throwBoundsErrors(kind: StoreKind) throws {
        let store = try kind.make()
        try store.append(entries(1 ... 10, term: 1))
        try store.compact(snapshot(index: 3, term: 1))
        let s = store.reader
        #expect(throws: Raft.StorageError.unavailable(11)) { try s.entries(in: 5 ..< 12) }
        #expect(throws: Raft.StorageError.compacted(2)) { try s.entries(in: 2 ..< 5) }
        #expect(throws: Raft.StorageError.unavailable(11)) { try s.term(at: 11) }
        #expect(try s.entries(in: 4 ..< 4) == [])
        #expect(try s.entries(in: 10 ..< 11) == [entry(10, term: 1)])
    }

    @Test(arguments: StoreKind.allCases)
    func bootstrap_logsOneConfChangePerMember(kind: StoreKind) throws {
        let voters = [NodeID("a3"), NodeID("a1"), NodeID("a2")]
        let store = try kind.bootstrapped(voters: voters, learners: [NodeID("l1")])
        let expected = MemoryRaftStorage.bootstrap(voters: voters, learners: [NodeID("l1")])
        #expect(try StoreImage(store.reader) == StoreImage(expected))
        #expect(store.reader.lastIndex == 4)
        try expectSurvivesRestart(store)
    }
}
