import Basics
import Consensus
import Foundation
import Storage
import ClusterState
import Testing

@Suite("SQLiteRaftStorage")
struct SQLiteRaftStorageTests {
    @Test func crc32c_matchesTheCastagnoliCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([]) == 0)
    }

    @Test func reopen_preservesLogHardStateAndSnapshot() throws {
        let dir = try TemporaryDirectory()
        let before: StoreImage
        do {
            let storage = try SQLiteRaftStorage(path: dir.databasePath)
            try storage.bootstrap(voters: [NodeID("a1"), NodeID("a2")])
            try storage.persist(entries: entries(3 ... 9, term: 2))
            try storage.persist(entries: entries(7 ... 8, term: 3))  // conflict: 9 goes
            try storage.compact(through: snapshot(index: 4, term: 2, voters: ["a1", "a2"], data: "at-4"))
            try storage.persist(hardState: Raft.HardState(term: 3, vote: NodeID("a2"), commit: 7))
            before = try StoreImage(storage)
        }
        let reopened = try SQLiteRaftStorage(path: dir.databasePath)
        #expect(try StoreImage(reopened) == before)
        #expect(reopened.firstIndex == 5)
        #expect(reopened.lastIndex == 8)
        #expect(try reopened.term(at: 8) == 3)
        #expect(reopened.hardState == Raft.HardState(term: 3, vote: NodeID("a2"), commit: 7))
        #expect(try reopened.snapshot().data == Array("at-4".utf8))
    }

    @Test func persistReady_writesItsDurablePart() throws {
        let dir = try TemporaryDirectory()
        var ready = Raft.Ready()
        ready.hardState = Raft.HardState(term: 2, vote: NodeID("a1"), commit: 1)
        ready.entriesToAppend = entries(1 ... 2, term: 2)
        try SQLiteRaftStorage(path: dir.databasePath).persist(ready)
        let reopened = try SQLiteRaftStorage(path: dir.databasePath)
        #expect(reopened.hardState == ready.hardState)
        #expect(try reopened.entries(in: 1 ..< 3) == ready.entriesToAppend)
    }

    @Test func bootstrap_ofAStoreWithState_isRefused() throws {
        let dir = try TemporaryDirectory()
        let storage = try SQLiteRaftStorage(path: dir.databasePath)
        try storage.bootstrap(voters: [NodeID("a1")])
        let problem = storageProblem { () throws(StorageError) in try storage.bootstrap(voters: [NodeID("a1")]) }
        #expect(problem == .alreadyInitialized(lastIndex: 1, term: 1))
    }

    @Test func nonContiguousBatch_isRefused() throws {
        let dir = try TemporaryDirectory()
        let storage = try SQLiteRaftStorage(path: dir.databasePath)
        let problem = storageProblem { () throws(StorageError) in
            try storage.persist(entries: [entry(1, term: 1), entry(3, term: 1)])
        }
        #expect(problem == .rejected(.gap(expected: 2, got: 3)))
        #expect(storage.lastIndex == 0)
    }

    @Test func raftLogAndKeyValueTable_shareOneFile() throws {
        let dir = try TemporaryDirectory()
        let storage = try SQLiteRaftStorage(path: dir.databasePath)
        let kv = try ReplicatedStateMachine(path: dir.databasePath)
        let put = Raft.Entry(term: 1, index: 1, data: KVCommand.put(key: "k", value: [1]).encoded)
        try storage.persist(hardState: Raft.HardState(term: 1, vote: nil, commit: 1), entries: [put])
        try kv.apply(try storage.entries(in: 1 ..< 2))
        #expect(try kv.get("k")?.value == [1])
        #expect(try SQLiteRaftStorage(path: dir.databasePath).lastIndex == 1)
    }

    // MARK: Files that are not ours

    @Test func fileThatIsNotADatabase_isRefused() throws {
        let dir = try TemporaryDirectory()
        try Data(String(repeating: "definitely not sqlite\n", count: 300).utf8).write(to: URL(fileURLWithPath: dir.databasePath))
        let error = #expect(throws: StorageError.self) { try SQLiteRaftStorage(path: dir.databasePath) }
        #expect(error?.problem == .notADatabase)
        #expect(error?.description == "\(dir.databasePath): file is not a database")
    }

    @Test func foreignSQLiteDatabase_isRefusedUntouched() throws {
        let dir = try TemporaryDirectory()
        try SQLiteDatabase(path: dir.databasePath).execute("CREATE TABLE photos(id INTEGER PRIMARY KEY)")
        let error = #expect(throws: StorageError.self) { try SQLiteRaftStorage(path: dir.databasePath) }
        #expect(error?.problem == .notOrdinal(applicationID: 0, schemaVersion: 0))
        #expect(error?.description.contains("not an Ordinal database") == true)
        #expect(throws: StorageError.self) { try ReplicatedStateMachine(path: dir.databasePath) }
    }

    @Test func newerSchemaVersion_isRefused() throws {
        let dir = try TemporaryDirectory()
        _ = try SQLiteRaftStorage(path: dir.databasePath)
        try SQLiteDatabase(path: dir.databasePath).execute("PRAGMA user_version=3")
        let error = #expect(throws: StorageError.self) { try SQLiteRaftStorage(path: dir.databasePath) }
        #expect(error?.problem == .unsupportedSchemaVersion(found: 3, supported: 2))
    }

    /// Version 1 (before cluster objects) opens as version 2 with an empty `objects` table.
    @Test func versionOneIsMigrated() throws {
        let dir = try TemporaryDirectory()
        _ = try SQLiteRaftStorage(path: dir.databasePath)
        try SQLiteDatabase(path: dir.databasePath).execute("DROP TABLE objects; PRAGMA user_version=1")
        let machine = try ReplicatedStateMachine(path: dir.databasePath)
        #expect(machine.cluster == ClusterState())
        let node = Node(metadata: ObjectMeta(name: "a1"), spec: .init(podCIDR: "127.128.1.0/24"))
        let entry = LogEntryCodec.encode(.cluster(ClusterProposal(at: Timestamp(seconds: 1), commands: [.create(.node(node))])), format: .unversioned)
        try machine.apply([Raft.Entry(term: 1, index: 1, data: entry)])
        let reopened = try ReplicatedStateMachine(path: dir.databasePath)
        #expect(reopened.cluster.nodes.count == 1)
        #expect(reopened.cluster == machine.cluster)
        _ = try SQLiteRaftStorage(path: dir.databasePath)
    }
}
