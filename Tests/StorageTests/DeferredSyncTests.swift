import Basics
import Consensus
import Testing
@testable import Storage

/// A commit-index-only hard state is written without an fsync (etcd's `MustSync`); the
/// connection must come back to `synchronous=FULL` whatever happens in between.
@Suite("Deferred sync")
struct DeferredSyncTests {
    /// SQLite's `PRAGMA synchronous` value: 1 is NORMAL, 2 is FULL.
    private func synchronousMode(_ database: SQLiteDatabase) throws -> Int64 {
        let query = try database.prepare("PRAGMA synchronous")
        defer { query.reset() }
        #expect(try query.step())
        return query.int64(0)
    }

    @Test func aNonDurableTransactionReturnsTheConnectionToFullSync() throws {
        let dir = try TemporaryDirectory()
        let database = try SQLiteDatabase(path: dir.databasePath)
        try database.configureForDurability()
        try database.execute("CREATE TABLE t(x INTEGER)")
        #expect(try synchronousMode(database) == 2)
        try database.transaction(durable: false) { () throws(StorageError) in
            #expect((try? synchronousMode(database)) == 1)
            try database.execute("INSERT INTO t VALUES (1)")
        }
        #expect(try synchronousMode(database) == 2)
        let failed = storageProblem { () throws(StorageError) in
            try database.transaction(durable: false) { () throws(StorageError) in
                try database.execute("INSERT INTO missing VALUES (1)")
            }
        }
        #expect(failed != nil)
        #expect(try synchronousMode(database) == 2)
    }

    @Test func aCommitOnlyHardStateIsStillWrittenAndReadBack() throws {
        let dir = try TemporaryDirectory()
        do {
            let storage = try SQLiteRaftStorage(path: dir.databasePath)
            try storage.persist(hardState: Raft.HardState(term: 2, vote: NodeID("a1"), commit: 1), entries: entries(1 ... 3, term: 2))
            try storage.persist(hardState: Raft.HardState(term: 2, vote: NodeID("a1"), commit: 3))
        }
        let reopened = try SQLiteRaftStorage(path: dir.databasePath)
        #expect(reopened.hardState == Raft.HardState(term: 2, vote: NodeID("a1"), commit: 3))
    }

    @Test(arguments: [
        (Raft.HardState(term: 1, vote: nil, commit: 0), Raft.HardState(term: 1, vote: nil, commit: 5), false),
        (Raft.HardState(term: 1, vote: NodeID("a"), commit: 5), Raft.HardState(term: 1, vote: NodeID("a"), commit: 5), false),
        (Raft.HardState(term: 1, vote: nil, commit: 5), Raft.HardState(term: 2, vote: nil, commit: 5), true),
        (Raft.HardState(term: 2, vote: nil, commit: 5), Raft.HardState(term: 2, vote: NodeID("b"), commit: 6), true),
        (Raft.HardState(term: 2, vote: NodeID("a"), commit: 5), Raft.HardState(term: 3, vote: nil, commit: 5), true),
    ])
    func onlyATermOrVoteChangeMustSync(previous: Raft.HardState, next: Raft.HardState, mustSync: Bool) {
        #expect(next.mustSync(over: previous) == mustSync)
    }
}
