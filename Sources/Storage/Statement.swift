import CSQLite

/// A prepared SQLite statement: bind parameters (1-based), step through rows, read columns
/// (0-based). Finalized when released.
///
/// Integers are SQLite's signed 64 bits; Raft's `UInt64` indices and terms are stored by bit
/// pattern, which is the identity for every value below 2⁶³ (all of them in practice) and
/// round-trips the rest.
final class Statement {
    private let raw: OpaquePointer
    private unowned let database: SQLiteDatabase
    let sql: String

    init(_ raw: OpaquePointer, database: SQLiteDatabase, sql: String) {
        self.raw = raw
        self.database = database
        self.sql = sql
    }

    deinit { sqlite3_finalize(raw) }

    /// Makes the statement ready to run again and drops previous bindings.
    func reset() {
        sqlite3_reset(raw)
        sqlite3_clear_bindings(raw)
    }

    // MARK: Binding

    func bind(_ index: Int32, _ value: Int64) throws(StorageError) {
        try check(sqlite3_bind_int64(raw, index, value))
    }

    func bind(_ index: Int32, _ value: UInt64) throws(StorageError) {
        try bind(index, Int64(bitPattern: value))
    }

    func bind(_ index: Int32, _ bytes: [UInt8]) throws(StorageError) {
        // An empty buffer may have no base address, which SQLite would bind as NULL.
        if bytes.isEmpty { return try check(sqlite3_bind_zeroblob(raw, index, 0)) }
        let rc = bytes.withUnsafeBytes { buffer in
            sqlite3_bind_blob64(raw, index, buffer.baseAddress, sqlite3_uint64(buffer.count), sqliteTransient)
        }
        try check(rc)
    }

    func bind(_ index: Int32, _ text: String?) throws(StorageError) {
        guard let text else { return try check(sqlite3_bind_null(raw, index)) }
        // Explicit length, so a key with an embedded NUL is stored whole.
        let utf8 = Array(text.utf8)
        // An empty buffer has no base address, and a null pointer would bind NULL.
        if utf8.isEmpty { return try check(sqlite3_bind_text(raw, index, "", 0, sqliteTransient)) }
        let rc = utf8.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                sqlite3_bind_text64(raw, index, chars.baseAddress, sqlite3_uint64(chars.count), sqliteTransient, UInt8(SQLITE_UTF8))
            }
        }
        try check(rc)
    }

    // MARK: Stepping

    /// - Returns: `true` when a row is available, `false` when the statement is done.
    @discardableResult
    func step() throws(StorageError) -> Bool {
        switch sqlite3_step(raw) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let rc:
            let message = String(cString: sqlite3_errmsg(database.handle))
            sqlite3_reset(raw)
            throw database.error(code: rc, message: message, operation: sql)
        }
    }

    /// Steps to completion, for statements that return no rows.
    func run() throws(StorageError) {
        while try step() {}
    }

    // MARK: Columns

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(raw, column) == SQLITE_NULL }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(raw, column) }

    func uint64(_ column: Int32) -> UInt64 { UInt64(bitPattern: int64(column)) }

    func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(raw, column))
        guard count > 0, let base = sqlite3_column_blob(raw, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: base, count: count))
    }

    func text(_ column: Int32) -> String? {
        guard !isNull(column), let base = sqlite3_column_text(raw, column) else { return nil }
        let count = Int(sqlite3_column_bytes(raw, column))
        return String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self)
    }

    private func check(_ rc: Int32) throws(StorageError) {
        guard rc == SQLITE_OK else {
            throw database.error(code: rc, message: String(cString: sqlite3_errmsg(database.handle)), operation: "bind \(sql)")
        }
    }
}

/// `SQLITE_TRANSIENT`: SQLite copies the bound bytes before the bind call returns. The C macro
/// is `((sqlite3_destructor_type)-1)`, which Swift does not import.
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

