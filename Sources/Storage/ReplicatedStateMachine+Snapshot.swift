import ClusterState
package import Consensus

extension ReplicatedStateMachine {
    private static let snapshotFormat: UInt8 = 2

    /// The whole state as snapshot bytes for ``RaftNode/compact(through:snapshotData:)``, taken at
    /// ``appliedIndex``. Format: a version byte (2); a `UInt32` key-value row count, then per
    /// row the key and value fields and the revision as a big-endian `UInt64`; a `UInt32`
    /// object count, then each object's JSON as a field.
    package func snapshotData() throws(StorageError) -> [UInt8] {
        let rows = try all()
        var writer = ByteWriter()
        writer.write(Self.snapshotFormat)
        writer.write(UInt32(rows.count))
        for row in rows {
            writer.writeField(Array(row.key.utf8))
            writer.writeField(row.value)
            writer.write(row.revision)
        }
        let objects = cluster.allObjects
        writer.write(UInt32(objects.count))
        for object in objects {
            writer.writeField(Array(ObjectJSON.text(object).utf8))
        }
        return writer.bytes
    }

    /// A snapshot's state, decoded and checked, ready to be written (``write(_:into:)``) and
    /// then adopted (``adopt(_:)``). Decoding first means a snapshot that does not decode
    /// changes nothing, and the write can share the Raft log's transaction.
    package struct Restoration: Sendable {
        package let index: UInt64
        let rows: [(key: String, value: [UInt8], revision: UInt64)]
        let cluster: ClusterState
    }

    /// Replaces the state with a snapshot's data and sets ``appliedIndex`` to its index, in one
    /// transaction of this connection.
    /// - Throws: `.invalidSnapshotData` if the bytes do not decode (nothing is changed).
    package func restore(_ snapshot: Raft.Snapshot) throws(StorageError) {
        let restoration = try decode(snapshot)
        try database.transaction { () throws(StorageError) in try write(restoration, into: database) }
        adopt(restoration)
    }

    /// Decodes a snapshot's data without touching the database.
    /// - Throws: `.invalidSnapshotData` if the bytes do not decode or an object in them fails
    ///   validation.
    package func decode(_ snapshot: Raft.Snapshot) throws(StorageError) -> Restoration {
        var rows: [(key: String, value: [UInt8], revision: UInt64)] = []
        var restored = ClusterState()
        do throws(KVCodingError) {
            var reader = ByteReader(snapshot.data)
            let format = try reader.readByte()
            guard format == Self.snapshotFormat else {
                throw KVCodingError(offset: 0, reason: "unknown snapshot format \(format)")
            }
            for _ in 0 ..< (try reader.readUInt32()) {
                let key = try reader.readString()
                rows.append((key, try reader.readField(), try reader.readUInt64()))
            }
            for _ in 0 ..< (try reader.readUInt32()) {
                let text = try reader.readString()
                guard let object = ObjectJSON.object(text) else {
                    throw KVCodingError(offset: 0, reason: "an object does not decode")
                }
                // A snapshot is an entry point like any command: its objects pass the checks
                // `ClusterState.apply` makes, so no sender can plant a bad name or integer.
                let errors = object.validationErrors() + object.statusErrors()
                guard errors.isEmpty else {
                    throw KVCodingError(offset: 0, reason: "\(object.kind) \(object.metadata.name) is invalid: \(errors.map(\.description).joined(separator: "; "))")
                }
                restored.store(object)
            }
            try reader.expectEnd()
        } catch {
            throw StorageError(path: path, .invalidSnapshotData(error))
        }
        return Restoration(index: snapshot.index, rows: rows, cluster: restored)
    }

    /// Writes a decoded snapshot's rows and applied index through `database`, which MUST be
    /// inside a transaction: the caller's, so that the Raft log's snapshot and the state it
    /// describes commit together (``SQLiteRaftStorage/persist(hardState:entries:snapshot:alongside:)``).
    package func write(_ restoration: Restoration, into database: SQLiteDatabase) throws(StorageError) {
        try database.execute("DELETE FROM kv; DELETE FROM objects")
        let insert = try database.prepare("INSERT OR REPLACE INTO kv(key, value, revision) VALUES (?1, ?2, ?3)")
        defer { insert.reset() }
        for row in restoration.rows {
            insert.reset()
            try insert.bind(1, row.key)
            try insert.bind(2, row.value)
            try insert.bind(3, row.revision)
            try insert.run()
        }
        for object in restoration.cluster.allObjects { try Self.writeObject(object, into: database) }
        try Self.writeAppliedIndex(restoration.index, into: database)
    }

    /// Takes on a restoration whose rows are committed.
    package func adopt(_ restoration: Restoration) {
        appliedIndex = restoration.index
        cluster = restoration.cluster
    }
}
