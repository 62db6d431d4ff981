package import Consensus

extension KeyValueStateMachine {
    private static let snapshotFormat: UInt8 = 1

    /// The whole table as snapshot bytes for ``RaftNode/compact(snapshotData:)``, taken at
    /// ``appliedIndex``. Format: a version byte (1), a `UInt32` row count, then per row the key
    /// and value fields and the revision as a big-endian `UInt64`.
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
        return writer.bytes
    }

    /// Replaces the table with a snapshot's data and sets ``appliedIndex`` to its index, in one
    /// transaction (the application half of installing a ``Raft/Ready/snapshotToInstall``).
    /// - Throws: `.invalidSnapshotData` if the bytes do not decode (nothing is changed).
    package func restore(_ snapshot: Raft.Snapshot) throws(StorageError) {
        var rows: [(key: String, value: [UInt8], revision: UInt64)] = []
        do throws(KVCodingError) {
            var reader = ByteReader(snapshot.data)
            let format = try reader.readByte()
            guard format == Self.snapshotFormat else {
                throw KVCodingError(offset: 0, reason: "unknown snapshot format \(format)")
            }
            let count = try reader.readUInt32()
            for _ in 0 ..< count {
                let key = try reader.readString()
                rows.append((key, try reader.readField(), try reader.readUInt64()))
            }
            try reader.expectEnd()
        } catch {
            throw StorageError(path: path, .invalidSnapshotData(error))
        }
        try database.transaction { () throws(StorageError) in
            try database.execute("DELETE FROM kv")
            let insert = try database.prepare("INSERT OR REPLACE INTO kv(key, value, revision) VALUES (?1, ?2, ?3)")
            defer { insert.reset() }
            for row in rows {
                insert.reset()
                try insert.bind(1, row.key)
                try insert.bind(2, row.value)
                try insert.bind(3, row.revision)
                try insert.run()
            }
            try writeAppliedIndex(snapshot.index)
        }
        appliedIndex = snapshot.index
    }
}
