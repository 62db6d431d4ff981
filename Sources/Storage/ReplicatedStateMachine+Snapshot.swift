import ClusterState
package import Consensus

extension ReplicatedStateMachine {
    private static let snapshotFormat: UInt8 = 2

    /// The whole state as snapshot bytes for ``RaftNode/compact(snapshotData:)``, taken at
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

    /// Replaces the state with a snapshot's data and sets ``appliedIndex`` to its index, in one
    /// transaction (the application half of installing a ``Raft/Ready/snapshotToInstall``).
    /// - Throws: `.invalidSnapshotData` if the bytes do not decode (nothing is changed).
    package func restore(_ snapshot: Raft.Snapshot) throws(StorageError) {
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
                restored.store(object)
            }
            try reader.expectEnd()
        } catch {
            throw StorageError(path: path, .invalidSnapshotData(error))
        }
        try database.transaction { () throws(StorageError) in
            try database.execute("DELETE FROM kv; DELETE FROM objects")
            let insert = try database.prepare("INSERT OR REPLACE INTO kv(key, value, revision) VALUES (?1, ?2, ?3)")
            defer { insert.reset() }
            for row in rows {
                insert.reset()
                try insert.bind(1, row.key)
                try insert.bind(2, row.value)
                try insert.bind(3, row.revision)
                try insert.run()
            }
            for object in restored.allObjects { try writeObject(object) }
            try writeAppliedIndex(snapshot.index)
        }
        appliedIndex = snapshot.index
        cluster = restored
    }
}
