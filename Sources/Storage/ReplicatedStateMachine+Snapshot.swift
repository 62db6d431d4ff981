import ClusterState
package import Consensus
import FoundationEssentials
import SwiftProtobuf

extension ReplicatedStateMachine {
    /// The unversioned snapshot format's first byte.
    private static let unversionedSnapshotTag: UInt8 = 2

    /// The whole state as snapshot bytes for ``RaftNode/compact(through:snapshotData:)``, taken at
    /// ``appliedIndex``, in the format the cluster version names (a member may install it).
    ///
    /// Format 1: a byte 2; a `UInt32` key-value row count, then per row the key and value
    /// fields and the revision as a big-endian `UInt64`; a `UInt32` object count, then each
    /// object's JSON as a field. Format 2 on: a `StateSnapshot` (`Proto/log.proto`).
    package func snapshotData() throws(StorageError) -> [UInt8] {
        let rows = try all()
        let objects = cluster.allObjects
        guard clusterVersion >= .envelope else {
            var writer = ByteWriter()
            writer.write(Self.unversionedSnapshotTag)
            writer.write(UInt32(rows.count))
            for row in rows {
                writer.writeField(Array(row.key.utf8))
                writer.writeField(row.value)
                writer.write(row.revision)
            }
            writer.write(UInt32(objects.count))
            for object in objects {
                writer.writeField(Array(ObjectJSON.text(object).utf8))
            }
            return writer.bytes
        }
        var snapshot = Ordinal_Log_V1_StateSnapshot()
        snapshot.format = clusterVersion.rawValue
        snapshot.clusterVersion = clusterVersion.rawValue
        snapshot.rows = rows.map { row in .with { $0.key = row.key; $0.value = Data(row.value); $0.revision = row.revision } }
        snapshot.objects = objects.map { Data(ObjectJSON.text($0).utf8) }
        // Serialising a message we just filled in cannot fail.
        return (try? snapshot.serializedBytes()) ?? []
    }

    /// A snapshot's state, decoded and checked, ready to be written (``write(_:into:)``) and
    /// then adopted (``adopt(_:)``). Decoding first means a snapshot that does not decode
    /// changes nothing, and the write can share the Raft log's transaction.
    package struct Restoration: Sendable {
        package let index: UInt64
        let rows: [(key: String, value: [UInt8], revision: UInt64)]
        let cluster: ClusterState
        let clusterVersion: LogFormat
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
    /// - Throws: `.invalidSnapshotData` if the bytes do not decode, are of a format this
    ///   build does not read, or an object in them fails validation.
    package func decode(_ snapshot: Raft.Snapshot) throws(StorageError) -> Restoration {
        var rows: [(key: String, value: [UInt8], revision: UInt64)] = []
        var restored = ClusterState()
        var version = LogFormat.unversioned
        do throws(KVCodingError) {
            let texts: [String]
            if snapshot.data.first == Self.unversionedSnapshotTag {
                (rows, texts) = try Self.decodeUnversioned(snapshot.data)
            } else {
                let decoded = try Self.decodeEnvelope(snapshot.data)
                (rows, texts, version) = (decoded.rows, decoded.objects, decoded.version)
            }
            for text in texts {
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
        } catch {
            throw StorageError(path: path, .invalidSnapshotData(error))
        }
        return Restoration(index: snapshot.index, rows: rows, cluster: restored, clusterVersion: version)
    }

    private static func decodeUnversioned(_ data: [UInt8]) throws(KVCodingError) -> (rows: [(key: String, value: [UInt8], revision: UInt64)], objects: [String]) {
        var reader = ByteReader(data)
        _ = try reader.readByte()
        var rows: [(key: String, value: [UInt8], revision: UInt64)] = []
        for _ in 0 ..< (try reader.readUInt32()) {
            let key = try reader.readString()
            rows.append((key, try reader.readField(), try reader.readUInt64()))
        }
        var objects: [String] = []
        for _ in 0 ..< (try reader.readUInt32()) {
            objects.append(try reader.readString())
        }
        try reader.expectEnd()
        return (rows, objects)
    }

    private static func decodeEnvelope(_ data: [UInt8]) throws(KVCodingError) -> (rows: [(key: String, value: [UInt8], revision: UInt64)], objects: [String], version: LogFormat) {
        let snapshot: Ordinal_Log_V1_StateSnapshot
        do {
            snapshot = try Ordinal_Log_V1_StateSnapshot(serializedBytes: data)
        } catch {
            throw KVCodingError(offset: 0, reason: "not a snapshot of a format this build reads (\(error))")
        }
        let format = LogFormat(rawValue: snapshot.format)
        let version = LogFormat(rawValue: snapshot.clusterVersion)
        guard format >= .envelope, version >= format else {
            throw KVCodingError(offset: 0, reason: "snapshot format \(format) at cluster version \(version) is not a versioned snapshot")
        }
        guard format.isReadable, version.isReadable else {
            throw KVCodingError(offset: 0, reason: LogDecodingError.newerFormat(max(format, version)).description)
        }
        var objects: [String] = []
        for body in snapshot.objects {
            guard let text = String(validating: body, as: UTF8.self) else {
                throw KVCodingError(offset: 0, reason: "an object is not UTF-8")
            }
            objects.append(text)
        }
        return (snapshot.rows.map { ($0.key, Array($0.value), $0.revision) }, objects, version)
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
        try Self.writeClusterVersion(restoration.clusterVersion, into: database)
    }

    /// Takes on a restoration whose rows are committed.
    package func adopt(_ restoration: Restoration) {
        appliedIndex = restoration.index
        cluster = restoration.cluster
        clusterVersion = restoration.clusterVersion
    }
}
