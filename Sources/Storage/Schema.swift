import Consensus

/// The layout of `<data-dir>/ordinal.db`, one file per agent, readable with the `sqlite3` CLI.
///
/// Identity lives in the SQLite header: `PRAGMA application_id` is `0x4F52444C` ("ORDL") and
/// `PRAGMA user_version` is the schema version (2), so a foreign or newer file is refused
/// before anything is written to it.
///
/// ```sql
/// -- Raft log after the snapshot: idx = firstIndex … lastIndex, contiguous.
/// CREATE TABLE raft_log (
///     idx      INTEGER PRIMARY KEY,  -- Raft index
///     term     INTEGER NOT NULL,
///     kind     INTEGER NOT NULL,     -- Raft.Entry.Kind raw value: 0 normal, 1 confChange, 2 noop
///     data     BLOB    NOT NULL,
///     checksum INTEGER NOT NULL      -- CRC-32C of term(8 BE) ‖ idx(8 BE) ‖ kind(1) ‖ data
/// );
/// -- Raft Figure 2 "persistent state" plus the commit index; exactly one row.
/// CREATE TABLE raft_hard_state (
///     id INTEGER PRIMARY KEY CHECK (id = 1),
///     term INTEGER NOT NULL, vote TEXT, commit_index INTEGER NOT NULL,
///     checksum INTEGER NOT NULL      -- CRC-32C of term ‖ vote flag, length, UTF-8 ‖ commit
/// );
/// -- The latest snapshot (index 0, empty, when none); exactly one row.
/// CREATE TABLE raft_snapshot (
///     id INTEGER PRIMARY KEY CHECK (id = 1),
///     idx INTEGER NOT NULL, term INTEGER NOT NULL,
///     conf BLOB NOT NULL,            -- voters then learners: u32 count, then u32 length + UTF-8 each
///     data BLOB NOT NULL,            -- the application's state at idx
///     checksum INTEGER NOT NULL      -- CRC-32C of idx ‖ term ‖ conf ‖ data
/// );
/// -- The replicated key-value test state (ReplicatedStateMachine).
/// CREATE TABLE kv (key TEXT PRIMARY KEY, value BLOB NOT NULL, revision INTEGER NOT NULL);
/// -- The cluster state (ReplicatedStateMachine): one row per object, its Kubernetes JSON.
/// CREATE TABLE objects (
///     kind TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
///     revision INTEGER NOT NULL,     -- metadata.resourceVersion: the index that last changed it
///     body TEXT NOT NULL,            -- e.g. json_extract(body, '$.status.phase')
///     PRIMARY KEY (kind, namespace, name));
/// -- Small counters; 'kv_applied_index' is the last log index applied to kv and objects,
/// -- 'cluster_version' the log format in force there (absent: format 1).
/// CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
/// ```
///
/// `revision` is the log index of the entry that last wrote the key (etcd's `mod_revision`),
/// so it is the same on every replica.
enum Schema {
    static let applicationID: Int32 = 0x4F52_444C
    static let version: Int32 = 2
    static let objectsTable = """
        CREATE TABLE objects (
            kind TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
            revision INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (kind, namespace, name));
        """
    static let appliedIndexKey = "kv_applied_index"
    /// The cluster version (``LogFormat``) as of the applied index; absent before format 2.
    static let clusterVersionKey = "cluster_version"

    static let create = """
        CREATE TABLE raft_log (
            idx INTEGER PRIMARY KEY, term INTEGER NOT NULL, kind INTEGER NOT NULL,
            data BLOB NOT NULL, checksum INTEGER NOT NULL);
        CREATE TABLE raft_hard_state (
            id INTEGER PRIMARY KEY CHECK (id = 1), term INTEGER NOT NULL, vote TEXT,
            commit_index INTEGER NOT NULL, checksum INTEGER NOT NULL);
        CREATE TABLE raft_snapshot (
            id INTEGER PRIMARY KEY CHECK (id = 1), idx INTEGER NOT NULL, term INTEGER NOT NULL,
            conf BLOB NOT NULL, data BLOB NOT NULL, checksum INTEGER NOT NULL);
        CREATE TABLE kv (key TEXT PRIMARY KEY, value BLOB NOT NULL, revision INTEGER NOT NULL);
        CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
        """ + objectsTable

    /// Opens `path`, creating the schema on a new file or checking identity and version on an
    /// existing one, then runs SQLite's `quick_check` over every page.
    /// - Throws: `.notADatabase`, `.notOrdinal`, `.unsupportedSchemaVersion`, `.malformed`.
    static func open(path: String) throws(StorageError) -> SQLiteDatabase {
        let db = try SQLiteDatabase(path: path)
        // Look before writing: switching a foreign file to WAL would modify it.
        let (applicationID, version, tables) = try identity(db)
        if applicationID == 0 && version == 0 && tables == 0 {
            try db.configureForDurability()
            try db.transaction { () throws(StorageError) in
                // Another connection may have created it between our look and our lock.
                guard try identity(db).2 == 0 else { return }
                try db.execute(create)
                try RaftRows.writeHardState(Raft.HardState(), to: db)
                try RaftRows.writeSnapshot(Raft.Snapshot(), to: db)
                try db.execute("INSERT INTO meta(key, value) VALUES ('\(appliedIndexKey)', 0)")
                try db.execute("PRAGMA application_id=\(Schema.applicationID); PRAGMA user_version=\(Schema.version)")
            }
            return db
        }
        if applicationID != Schema.applicationID {
            throw StorageError(path: path, .notOrdinal(applicationID: applicationID, schemaVersion: version))
        }
        guard version == Schema.version || version == 1 else {
            throw StorageError(path: path, .unsupportedSchemaVersion(found: version, supported: Schema.version))
        }
        try db.configureForDurability()
        if version == 1 {
            // Version 1 had no cluster objects; nothing in it changes meaning.
            try db.transaction { () throws(StorageError) in
                guard try identity(db).1 == 1 else { return }
                try db.execute(objectsTable + "; PRAGMA user_version=\(Schema.version)")
            }
        }
        try quickCheck(db)
        return db
    }

    private static func identity(_ db: SQLiteDatabase) throws(StorageError) -> (Int32, Int32, Int64) {
        let id = try db.prepare("PRAGMA application_id")
        defer { id.reset() }
        try id.step()
        let version = try db.prepare("PRAGMA user_version")
        defer { version.reset() }
        try version.step()
        let tables = try db.prepare("SELECT count(*) FROM sqlite_schema")
        defer { tables.reset() }
        try tables.step()
        return (Int32(truncatingIfNeeded: id.int64(0)), Int32(truncatingIfNeeded: version.int64(0)), tables.int64(0))
    }

    /// SQLite's structural check of every b-tree page (not row contents: our checksums cover
    /// those). Linear in the file size, which compaction keeps small.
    private static func quickCheck(_ db: SQLiteDatabase) throws(StorageError) {
        let check = try db.prepare("PRAGMA quick_check(5)")
        defer { check.reset() }
        var problems: [String] = []
        while try check.step() {
            if let line = check.text(0), line != "ok" { problems.append(line) }
        }
        if !problems.isEmpty {
            throw StorageError(path: db.path, .malformed(problems.joined(separator: "; ")))
        }
    }
}
