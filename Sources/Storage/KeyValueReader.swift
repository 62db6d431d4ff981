/// Reads the key-value rows through a connection of its own, so a reader never waits for
/// the state machine's writes: in WAL mode an SQLite reader sees the last committed
/// transaction and neither waits for the writer's nor for its fsync.
///
/// `@unchecked Sendable` for the same reason as ``ReplicatedStateMachine``: its owner uses
/// it from one task at a time.
package final class KeyValueReader: @unchecked Sendable {
    let database: SQLiteDatabase

    /// Opens a read-only connection to the database ``ReplicatedStateMachine`` keeps at `path`.
    package init(path: String) throws(StorageError) {
        database = try SQLiteDatabase(path: path)
        try database.execute("PRAGMA query_only=1")
    }

    /// The value of `key` and the log index that last wrote it, as last committed.
    package func get(_ key: String) throws(StorageError) -> (value: [UInt8], revision: UInt64)? {
        try Self.get(key, in: database)
    }

    static func get(_ key: String, in database: SQLiteDatabase) throws(StorageError) -> (value: [UInt8], revision: UInt64)? {
        let select = try database.prepare("SELECT value, revision FROM kv WHERE key = ?1")
        defer { select.reset() }
        try select.bind(1, key)
        guard try select.step() else { return nil }
        return (select.blob(0), select.uint64(1))
    }
}
