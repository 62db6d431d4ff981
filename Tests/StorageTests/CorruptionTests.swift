import Basics
import Consensus
import Foundation
import Storage
import Testing

/// A damaged file MUST be refused with an error naming it and the damage — never read back as
/// different data, which Raft would then act on (a lost vote, a changed committed entry).
@Suite("Corruption detection")
struct CorruptionTests {
    /// Entry `i`'s data: a marker that is easy to find in the raw file, padded so rows are
    /// large enough that most of the file is entry bytes.
    static func payload(_ index: UInt64) -> [UInt8] {
        Array("<<ORDINAL-ENTRY-\(index)>>".utf8) + [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: 200)
    }

    /// A closed store with a snapshot at 2, entries 3...40 and a voted hard state.
    static func makeStore(in dir: TemporaryDirectory) throws -> StoreImage {
        let storage = try SQLiteRaftStorage(path: dir.databasePath)
        try storage.persist(entries: (1 ... 40).map { Raft.Entry(term: 1 + $0 / 10, index: $0, data: payload($0)) })
        try storage.compact(through: snapshot(index: 2, term: 1, data: "snapshot-state"))
        try storage.persist(hardState: Raft.HardState(term: 5, vote: NodeID("a1"), commit: 30))
        let image = try StoreImage(storage)
        return image
    }

    static func tamper(_ dir: TemporaryDirectory, _ sql: String) throws {
        try SQLiteDatabase(path: dir.databasePath).execute(sql)
    }

    static func openProblem(_ dir: TemporaryDirectory) -> StorageError.Problem? {
        storageProblem { () throws(StorageError) in _ = try SQLiteRaftStorage(path: dir.databasePath) }
    }

    // MARK: Edits behind our back (content changed, checksum not)

    @Test func editedEntryData_isAChecksumMismatch() throws {
        let dir = try TemporaryDirectory()
        _ = try Self.makeStore(in: dir)
        try Self.tamper(dir, "UPDATE raft_log SET data = X'00112233' WHERE idx = 17")
        let error = #expect(throws: StorageError.self) { try SQLiteRaftStorage(path: dir.databasePath) }
        guard case .checksumMismatch(.entry(17), let stored, let computed)? = error?.problem else {
            Issue.record("expected a checksum mismatch on entry 17, got \(String(describing: error))")
            return
        }
        #expect(stored != computed)
        #expect(error?.description.hasPrefix("\(dir.databasePath): entry 17 checksum mismatch (stored 0x") == true)
    }

    @Test(arguments: [
        "UPDATE raft_log SET term = 9 WHERE idx = 5",
        "UPDATE raft_log SET kind = 2 WHERE idx = 6",
        "UPDATE raft_log SET idx = 100 WHERE idx = 40",
    ])
    func editedEntryFields_areDetected(sql: String) throws {
        let dir = try TemporaryDirectory()
        _ = try Self.makeStore(in: dir)
        try Self.tamper(dir, sql)
        #expect(Self.openProblem(dir) != nil)
    }

    @Test func deletedEntry_isAGap() throws {
        let dir = try TemporaryDirectory()
        _ = try Self.makeStore(in: dir)
        try Self.tamper(dir, "DELETE FROM raft_log WHERE idx BETWEEN 13 AND 14")
        let error = #expect(throws: StorageError.self) { try SQLiteRaftStorage(path: dir.databasePath) }
        #expect(error?.problem == .logGap(after: 12, next: 15))
        #expect(error?.description == "\(dir.databasePath): log has a gap between 12 and 15")
    }

    @Test func deletedFirstEntries_areAGapAfterTheSnapshot() throws {
        let dir = try TemporaryDirectory()
        _ = try Self.makeStore(in: dir)
        try Self.tamper(dir, "DELETE FROM raft_log WHERE idx = 3")
        #expect(Self.openProblem(dir) == .logGap(after: 2, next: 4))
    }

    @Test func editedHardState_isAChecksumMismatch() throws {
        let dir = try TemporaryDirectory()
        _ = try Self.makeStore(in: dir)
        try Self.tamper(dir, "UPDATE raft_hard_state SET vote = 'a2'")
        guard case .checksumMismatch(.hardState, _, _)? = Self.openProblem(dir) else {
            Issue.record("expected a hard-state checksum mismatch")
            return
        }
    }

    @Test func editedSnapshot_isAChecksumMismatch() throws {
        let dir = try TemporaryDirectory()
        _ = try Self.makeStore(in: dir)
        try Self.tamper(dir, "UPDATE raft_snapshot SET data = X'FF'")
        guard case .checksumMismatch(.snapshot, _, _)? = Self.openProblem(dir) else {
            Issue.record("expected a snapshot checksum mismatch")
            return
        }
    }

    @Test func truncatedLogBelowTheCommitIndex_isRefused() throws {
        let dir = try TemporaryDirectory()
        _ = try Self.makeStore(in: dir)
        try Self.tamper(dir, "DELETE FROM raft_log WHERE idx > 25")
        guard case .invalidRow(.hardState, let reason)? = Self.openProblem(dir) else {
            Issue.record("expected the commit index beyond the log to be reported")
            return
        }
        #expect(reason.contains("commit index 30 is beyond the last entry 25"))
    }

    @Test func corruptionWhileOpen_isReportedByReads() throws {
        let dir = try TemporaryDirectory()
        _ = try Self.makeStore(in: dir)
        let storage = try SQLiteRaftStorage(path: dir.databasePath)
        try Self.tamper(dir, "UPDATE raft_log SET data = X'00' WHERE idx = 20")
        #expect(try storage.entries(in: 10 ..< 20).count == 10)
        let error = #expect(throws: Raft.StorageError.self) { try storage.entries(in: 18 ..< 22) }
        guard case .io(let message)? = error else {
            Issue.record("expected .io, got \(String(describing: error))")
            return
        }
        #expect(message.contains("entry 20 checksum mismatch"))
    }

    // MARK: Bytes flipped in the file

    static func fileBytes(_ dir: TemporaryDirectory) throws -> [UInt8] {
        // A cleanly closed connection checkpoints and removes the WAL: the file is everything.
        #expect(!FileManager.default.fileExists(atPath: dir.databasePath + "-wal"))
        return Array(try Data(contentsOf: URL(fileURLWithPath: dir.databasePath)))
    }

    static func writeFile(_ dir: TemporaryDirectory, _ bytes: [UInt8]) throws {
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: dir.databasePath + suffix) }
        try Data(bytes).write(to: URL(fileURLWithPath: dir.databasePath))
    }

    @Test func flippedByteInsideAnEntry_isAChecksumMismatch() throws {
        let dir = try TemporaryDirectory()
        _ = try Self.makeStore(in: dir)
        var bytes = try Self.fileBytes(dir)
        let marker = Array("<<ORDINAL-ENTRY-23>>".utf8)
        let offset = try #require(bytes.firstRange(of: marker)?.lowerBound)
        bytes[offset + 5] ^= 0x20
        try Self.writeFile(dir, bytes)
        guard case .checksumMismatch(.entry(23), _, _)? = Self.openProblem(dir) else {
            Issue.record("expected entry 23 checksum mismatch, got \(String(describing: Self.openProblem(dir)))")
            return
        }
    }

    @Test func flippedHeaderMagic_isNotADatabase() throws {
        let dir = try TemporaryDirectory()
        _ = try Self.makeStore(in: dir)
        var bytes = try Self.fileBytes(dir)
        bytes[3] ^= 0x01  // "SQLite format 3\0"
        try Self.writeFile(dir, bytes)
        #expect(Self.openProblem(dir) == .notADatabase)
    }

    /// Any single flipped byte anywhere: either the open (or a read) fails, or everything
    /// reads back exactly as written (the byte was unused space). Never different data.
    @Test func randomFlippedBytes_areNeverSilentlyAccepted() throws {
        let dir = try TemporaryDirectory()
        let original = try Self.makeStore(in: dir)
        let pristine = try Self.fileBytes(dir)
        var rng = SplitMix64(seed: 0x0D15_EA5E)
        var detected = 0
        let trials = 150
        for _ in 0 ..< trials {
            var bytes = pristine
            let offset = Int(rng.next() % UInt64(bytes.count))
            bytes[offset] ^= UInt8(truncatingIfNeeded: rng.next() % 255 + 1)
            try Self.writeFile(dir, bytes)
            do {
                let reopened = try SQLiteRaftStorage(path: dir.databasePath)
                #expect(try StoreImage(reopened) == original, "flip at offset \(offset) was read back as different data")
            } catch {
                detected += 1
            }
        }
        // Much of a small file is free space inside pages, where a flip changes nothing; the
        // rest is rows and b-tree structure, where it must be caught. (SQLite 3.40: 35 of 150.)
        #expect(detected >= trials / 10, "only \(detected) of \(trials) flips detected")
    }

    @Test(arguments: [0.5, 0.9, 0.99])
    func truncatedFile_isDetected(keep fraction: Double) throws {
        let dir = try TemporaryDirectory()
        _ = try Self.makeStore(in: dir)
        let bytes = try Self.fileBytes(dir)
        try Self.writeFile(dir, Array(bytes.prefix(Int(Double(bytes.count) * fraction))))
        let problem = Self.openProblem(dir)
        #expect(problem != nil, "a file cut to \(Int(fraction * 100))% opened")
    }

    @Test func fileCutInsideTheHeader_isNotADatabase() throws {
        let dir = try TemporaryDirectory()
        _ = try Self.makeStore(in: dir)
        try Self.writeFile(dir, Array(try Self.fileBytes(dir).prefix(60)))
        #expect(Self.openProblem(dir) != nil)
    }
}
