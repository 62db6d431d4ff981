import CSQLite
import Glibc

/// One connection to an SQLite database file, configured for a Raft log: every committed
/// transaction is on disk when `COMMIT` returns.
///
/// Durability: `journal_mode=WAL` with `synchronous=FULL` fsyncs the write-ahead log at every
/// commit, so ``transaction(_:)`` returning means the write survives power loss (SQLite,
/// "Write-Ahead Logging" §2 and the `synchronous` pragma). A process killed mid-transaction
/// leaves an uncommitted WAL tail that the next open discards.
///
/// Not thread-safe on its own: the owner (``SQLiteRaftStorage``, ``ReplicatedStateMachine``)
/// MUST use it from one task at a time. Several connections to the same file are fine; writers
/// serialize through `BEGIN IMMEDIATE` and the busy timeout.
package final class SQLiteDatabase {
    /// The file, as given to ``init(path:busyTimeoutMilliseconds:)``; it prefixes every error.
    package let path: String
    let handle: OpaquePointer
    private var statements: [String: Statement] = [:]
    private var inTransaction = false

    /// Opens (creating if absent, mode 0600) the database at `path` in WAL mode with
    /// `synchronous=FULL`.
    /// - Throws: ``StorageError`` with `.notADatabase` if the file is not SQLite, or `.sqlite`
    ///   if it cannot be opened or switched to WAL.
    package init(path: String, busyTimeoutMilliseconds: Int32 = 5_000) throws(StorageError) {
        self.path = path
        Self.createPrivately(path)
        var db: OpaquePointer?
        // FULLMUTEX costs nothing measurable next to an fsync and keeps SQLite's own state
        // safe even if an owner breaks the one-task-at-a-time rule.
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_NOFOLLOW
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            throw Self.error(path: path, code: rc, message: message, operation: "open")
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
    }

    /// SQLite creates a database 0644 and gives its `-wal` and `-shm` files the database's
    /// mode; the file holds every object (pods' env too), so it is created empty and 0600
    /// first (`O_CREAT|O_EXCL`, which an empty file SQLite then initializes). An existing
    /// file is left alone; one that cannot be made here fails in `sqlite3_open_v2` instead,
    /// with SQLite's own message.
    private static func createPrivately(_ path: String) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if descriptor >= 0 { close(descriptor) }
    }

    deinit {
        statements.removeAll()  // finalizes them before the connection goes
        sqlite3_close_v2(handle)
    }

    /// Switches to WAL with `synchronous=FULL` and stricter corruption checks. Separate from
    /// `init` so that a caller can first look at a file (application id) before changing it.
    /// - Throws: `.sqlite` if the file system cannot hold a WAL.
    package func configureForDurability() throws(StorageError) {
        let mode = try prepare("PRAGMA journal_mode=WAL")
        guard try mode.step(), mode.text(0)?.lowercased() == "wal" else {
            throw StorageError(path: path, .sqlite(code: SQLITE_ERROR, message: "WAL unavailable", operation: "PRAGMA journal_mode=WAL"))
        }
        mode.reset()
        try execute("PRAGMA synchronous=FULL")
        // Checks each b-tree cell's size against its page as it is read, so a damaged page
        // is reported rather than misread (SQLite, "cell_size_check" pragma).
        try execute("PRAGMA cell_size_check=ON")
        // A checkpoint rewinds the write-ahead log but leaves the file at its largest size;
        // past 64 MiB it is truncated, so a burst of writes does not keep its disk forever.
        try execute("PRAGMA journal_size_limit=67108864")
    }

    /// Runs one or more statements that return no rows the caller needs.
    package func execute(_ sql: String) throws(StorageError) {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw error(code: rc, message: text, operation: sql)
        }
    }

    /// A prepared statement for `sql`, reset and cached per connection (the log writes the
    /// same few statements on every `persist`).
    func prepare(_ sql: String) throws(StorageError) -> Statement {
        if let cached = statements[sql] {
            cached.reset()
            return cached
        }
        var raw: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, nil)
        guard rc == SQLITE_OK, let raw else {
            throw error(code: rc, message: String(cString: sqlite3_errmsg(handle)), operation: "prepare \(sql)")
        }
        let statement = Statement(raw, database: self, sql: sql)
        statements[sql] = statement
        return statement
    }

    /// Runs `body` in one write transaction (`BEGIN IMMEDIATE` … `COMMIT`): all of it is
    /// durable when this returns (after ``configureForDurability()``), or none of it if `body`
    /// or the commit throws (rolled back).
    ///
    /// With `durable: false` the commit skips the fsync (`synchronous=NORMAL` for this one
    /// transaction): it survives a killed process but not a power loss, until the next
    /// durable commit syncs the write-ahead log with it. If the connection cannot be switched
    /// back to `synchronous=FULL`, this throws: no later write may silently lose its fsync.
    /// - Precondition: not nested.
    package func transaction<T>(durable: Bool = true, _ body: () throws(StorageError) -> T) throws(StorageError) -> T {
        guard !durable else { return try transactionBody(body) }
        try execute("PRAGMA synchronous=NORMAL")
        let result: Result<T, StorageError>
        do {
            result = .success(try transactionBody(body))
        } catch {
            result = .failure(error)
        }
        try execute("PRAGMA synchronous=FULL")
        return try result.get()
    }

    private func transactionBody<T>(_ body: () throws(StorageError) -> T) throws(StorageError) -> T {
        precondition(!inTransaction, "\(path): nested SQLite transaction")
        try execute("BEGIN IMMEDIATE")
        inTransaction = true
        defer { inTransaction = false }
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            // After a failed COMMIT SQLite may already have rolled back; ignore that error.
            if sqlite3_get_autocommit(handle) == 0 { try? execute("ROLLBACK") }
            throw error
        }
    }

    /// Maps an SQLite result code to the error an operator can act on.
    func error(code: Int32, message: String, operation: String) -> StorageError {
        Self.error(path: path, code: code, message: message, operation: operation)
    }

    static func error(path: String, code: Int32, message: String, operation: String) -> StorageError {
        switch code & 0xFF {
        case SQLITE_NOTADB: StorageError(path: path, .notADatabase)
        case SQLITE_CORRUPT: StorageError(path: path, .malformed("\(message) during \(operation)"))
        default: StorageError(path: path, .sqlite(code: code, message: message, operation: operation))
        }
    }
}
