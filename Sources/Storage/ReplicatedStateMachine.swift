package import ClusterState
package import Consensus

/// The state machine the agent applies committed entries to: the cluster state (objects,
/// kept in memory for reads and the controller and materialised in the `objects` table) and
/// the key-value test workload (`kv` table), in the same `ordinal.db` as the Raft log (see
/// ``Schema``) through its own connection.
///
/// Each ``apply(_:)`` updates the rows AND `meta.kv_applied_index` in one transaction, so
/// after a crash the agent resumes from ``appliedIndex`` without replaying — and never
/// double-applies — anything (the applied index can never disagree with the rows).
///
/// `@unchecked Sendable` for the same reason as ``SQLiteRaftStorage``: one task at a time.
package final class ReplicatedStateMachine: @unchecked Sendable {
    let database: SQLiteDatabase
    /// The last log index whose effect is in the tables.
    package internal(set) var appliedIndex: UInt64
    /// The cluster state as of ``appliedIndex``.
    package internal(set) var cluster: ClusterState
    /// The log format every member reads, as of ``appliedIndex``: what this agent writes.
    package internal(set) var clusterVersion: LogFormat

    /// Opens (creating if new) the state machine in the database at `path` and loads the
    /// cluster objects.
    /// - Throws: ``StorageError`` if the file is not an Ordinal database or is damaged.
    package init(path: String) throws(StorageError) {
        database = try Schema.open(path: path)
        // The Raft log (its own connection, synchronous=FULL) is the durable record; this
        // connection's commits need not wait for an fsync. A crash may lose the last applied
        // transactions, never half of one, and the agent re-applies them from the log
        // (entries above the applied index), so one fsync per write is enough.
        try database.execute("PRAGMA synchronous=NORMAL")
        appliedIndex = 0
        cluster = ClusterState()
        clusterVersion = .unversioned
        appliedIndex = try readAppliedIndex()
        cluster = try readObjects()
        clusterVersion = try readClusterVersion()
    }

    package var path: String { database.path }

    /// Applies committed entries in log order. Entries at or below ``appliedIndex`` are skipped
    /// (a replay after restart); empty `.normal` entries (a new leader's no-op) and non-normal
    /// entries only advance the applied index.
    ///
    /// A `.normal` entry that does not decode (``LogEntryCodec``), or that raises the cluster
    /// to a format this build does not read, stops the batch: nothing of it is applied and the
    /// error names the entry. Skipping it would let replicas of different builds disagree.
    /// - Returns: what each cluster entry did, by index (for the writers waiting on them).
    /// - Throws: `.applyGap` if `entries` do not continue from ``appliedIndex``;
    ///   `.undecodableEntry`; an SQLite failure (then nothing was applied, in memory either).
    @discardableResult
    package func apply(_ entries: [Raft.Entry]) throws(StorageError) -> [UInt64: ClusterState.Applied] {
        let fresh = entries.filter { $0.index > appliedIndex }
        guard !fresh.isEmpty else { return [:] }
        var next = appliedIndex + 1
        for entry in fresh {
            guard entry.index == next else {
                throw StorageError(path: path, .applyGap(applied: next - 1, got: entry.index))
            }
            next += 1
        }
        var nextCluster = cluster
        var nextVersion = clusterVersion
        var outcomes: [UInt64: ClusterState.Applied] = [:]
        try database.transaction { () throws(StorageError) in
            for entry in fresh where entry.kind == .normal {
                let command: LogCommand?
                do throws(LogDecodingError) {
                    command = try LogEntryCodec.decode(entry.data)
                } catch {
                    throw StorageError(path: path, .undecodableEntry(index: entry.index, error))
                }
                switch command {
                case .cluster(let proposal):
                    let applied = nextCluster.apply(proposal, at: entry.index)
                    try write(applied.changes)
                    outcomes[entry.index] = applied
                case .keyValue(let command):
                    try write(command, revision: entry.index)
                case .raiseClusterVersion(let version):
                    // Only ever raised: a stale leader's lower version changes nothing.
                    if version > nextVersion {
                        nextVersion = version
                        try Self.writeClusterVersion(version, into: database)
                    }
                case nil:
                    break
                }
            }
            try Self.writeAppliedIndex(next - 1, into: database)
        }
        appliedIndex = next - 1
        cluster = nextCluster
        clusterVersion = nextVersion
        return outcomes
    }

    /// The value of `key` and the log index that last wrote it.
    package func get(_ key: String) throws(StorageError) -> (value: [UInt8], revision: UInt64)? {
        try KeyValueReader.get(key, in: database)
    }

    /// Every key, sorted, with value and revision.
    package func all() throws(StorageError) -> [(key: String, value: [UInt8], revision: UInt64)] {
        let select = try database.prepare("SELECT key, value, revision FROM kv ORDER BY key")
        defer { select.reset() }
        var rows: [(key: String, value: [UInt8], revision: UInt64)] = []
        while try select.step() {
            rows.append((select.text(0) ?? "", select.blob(1), select.uint64(2)))
        }
        return rows
    }

    // MARK: Rows

    private func write(_ changes: [Change]) throws(StorageError) {
        for change in changes {
            let key = change.object.key
            if change.kind == .deleted {
                let delete = try database.prepare("DELETE FROM objects WHERE kind = ?1 AND namespace = ?2 AND name = ?3")
                defer { delete.reset() }
                try delete.bind(1, change.object.kind.rawValue)
                try delete.bind(2, key.namespace)
                try delete.bind(3, key.name)
                try delete.run()
            } else {
                try Self.writeObject(change.object, into: database)
            }
        }
    }

    static func writeObject(_ object: ClusterObject, into database: SQLiteDatabase) throws(StorageError) {
        let upsert = try database.prepare("INSERT OR REPLACE INTO objects(kind, namespace, name, revision, body) VALUES (?1, ?2, ?3, ?4, ?5)")
        defer { upsert.reset() }
        try upsert.bind(1, object.kind.rawValue)
        try upsert.bind(2, object.key.namespace)
        try upsert.bind(3, object.key.name)
        try upsert.bind(4, object.metadata.revision)
        try upsert.bind(5, ObjectJSON.text(object))
        try upsert.run()
    }

    private func readObjects() throws(StorageError) -> ClusterState {
        let select = try database.prepare("SELECT kind, namespace, name, body FROM objects")
        defer { select.reset() }
        var state = ClusterState()
        while try select.step() {
            guard let body = select.text(3), let object = ObjectJSON.object(body) else {
                let name = "\(select.text(0) ?? "?")/\(select.text(1) ?? "")/\(select.text(2) ?? "?")"
                throw StorageError(path: path, .invalidRow(.object(name), reason: "the body does not decode as the object"))
            }
            state.store(object)
        }
        return state
    }

    private func write(_ command: KVCommand, revision: UInt64) throws(StorageError) {
        switch command {
        case .put(let key, let value):
            let upsert = try database.prepare("INSERT OR REPLACE INTO kv(key, value, revision) VALUES (?1, ?2, ?3)")
            defer { upsert.reset() }
            try upsert.bind(1, key)
            try upsert.bind(2, value)
            try upsert.bind(3, revision)
            try upsert.run()
        case .delete(let key):
            let delete = try database.prepare("DELETE FROM kv WHERE key = ?1")
            defer { delete.reset() }
            try delete.bind(1, key)
            try delete.run()
        }
    }

    static func writeAppliedIndex(_ index: UInt64, into database: SQLiteDatabase) throws(StorageError) {
        let update = try database.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)")
        defer { update.reset() }
        try update.bind(1, Schema.appliedIndexKey)
        try update.bind(2, index)
        try update.run()
    }

    static func writeClusterVersion(_ version: LogFormat, into database: SQLiteDatabase) throws(StorageError) {
        let update = try database.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)")
        defer { update.reset() }
        try update.bind(1, Schema.clusterVersionKey)
        try update.bind(2, UInt64(version.rawValue))
        try update.run()
    }

    /// The stored cluster version; a database written before versions has none and is at
    /// ``LogFormat/unversioned``.
    private func readClusterVersion() throws(StorageError) -> LogFormat {
        let select = try database.prepare("SELECT value FROM meta WHERE key = ?1")
        defer { select.reset() }
        try select.bind(1, Schema.clusterVersionKey)
        guard try select.step() else { return .unversioned }
        let version = LogFormat(rawValue: UInt32(clamping: select.uint64(0)))
        guard version.isReadable else {
            throw StorageError(path: path, .invalidRow(.meta(Schema.clusterVersionKey), reason: LogDecodingError.newerFormat(version).description))
        }
        return version
    }

    private func readAppliedIndex() throws(StorageError) -> UInt64 {
        let select = try database.prepare("SELECT value FROM meta WHERE key = ?1")
        defer { select.reset() }
        try select.bind(1, Schema.appliedIndexKey)
        guard try select.step() else {
            throw StorageError(path: path, .invalidRow(.meta(Schema.appliedIndexKey), reason: "row is missing"))
        }
        return select.uint64(0)
    }
}
