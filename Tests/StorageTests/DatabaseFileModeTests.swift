import Foundation
import Testing
@testable import Storage

/// `ordinal.db` holds every object, pods' env too: SQLite would create it 0644 and give its
/// `-wal` and `-shm` files the same mode; it is created 0600 first (issue 26).
@Suite struct DatabaseFileModeTests {
    @Test func aNewDatabaseAndItsWriteAheadLogAreReadableOnlyByTheirOwner() throws {
        let dir = try TemporaryDirectory()
        let database = try SQLiteDatabase(path: dir.databasePath)
        try database.configureForDurability()
        try database.execute("CREATE TABLE t(x INTEGER); INSERT INTO t VALUES (1)")
        for suffix in ["", "-wal", "-shm"] {
            let mode = try FileManager.default.attributesOfItem(atPath: dir.databasePath + suffix)[.posixPermissions] as? Int
            #expect(mode == 0o600, "ordinal.db\(suffix)")
        }
    }
}
