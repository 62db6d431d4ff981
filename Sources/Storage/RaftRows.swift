import Basics
import Consensus

/// Reading and writing the Raft rows of ``Schema`` with their checksums. Every read verifies
/// the row's CRC-32C, so corruption is reported on first touch, not only at open.
enum RaftRows {
    // MARK: Checksums

    static func checksum(_ entry: Raft.Entry) -> UInt32 {
        var crc = CRC32C()
        crc.update(entry.term)
        crc.update(entry.index)
        crc.update([entry.kind.rawValue])
        crc.update(entry.data)
        return crc.value
    }

    static func checksum(_ state: Raft.HardState) -> UInt32 {
        var writer = ByteWriter()
        writer.write(state.term)
        if let vote = state.vote {
            writer.write(1 as UInt8)
            writer.writeField(Array(vote.name.utf8))
        } else {
            writer.write(0 as UInt8)
        }
        writer.write(state.commit)
        return CRC32C.checksum(writer.bytes)
    }

    static func checksum(_ metadata: Raft.SnapshotMetadata, conf: [UInt8], data: [UInt8]) -> UInt32 {
        var crc = CRC32C()
        crc.update(metadata.index)
        crc.update(metadata.term)
        crc.update(conf)
        crc.update(data)
        return crc.value
    }

    // MARK: Entries

    static let insertEntry = "INSERT INTO raft_log(idx, term, kind, data, checksum) VALUES (?1, ?2, ?3, ?4, ?5)"
    static let selectEntries = "SELECT idx, term, kind, data, checksum FROM raft_log WHERE idx >= ?1 AND idx < ?2 ORDER BY idx"

    static func insert(_ entry: Raft.Entry, into db: SQLiteDatabase) throws(StorageError) {
        let insert = try db.prepare(insertEntry)
        defer { insert.reset() }
        try insert.bind(1, entry.index)
        try insert.bind(2, entry.term)
        try insert.bind(3, Int64(entry.kind.rawValue))
        try insert.bind(4, entry.data)
        try insert.bind(5, Int64(checksum(entry)))
        try insert.run()
    }

    /// Decodes the current row of a statement selecting `idx, term, kind, data, checksum`.
    static func entry(from row: Statement, path: String) throws(StorageError) -> Raft.Entry {
        let index = row.uint64(0)
        guard let kind = Raft.Entry.Kind(rawValue: UInt8(truncatingIfNeeded: row.int64(2))), (0 ... 255).contains(row.int64(2)) else {
            throw StorageError(path: path, .invalidRow(.entry(index), reason: "unknown kind \(row.int64(2))"))
        }
        let entry = Raft.Entry(term: row.uint64(1), index: index, kind: kind, data: row.blob(3))
        let stored = UInt32(truncatingIfNeeded: row.int64(4))
        let computed = checksum(entry)
        guard stored == computed, (0 ... Int64(UInt32.max)).contains(row.int64(4)) else {
            throw StorageError(path: path, .checksumMismatch(.entry(index), stored: stored, computed: computed))
        }
        return entry
    }

    // MARK: Hard state

    static func writeHardState(_ state: Raft.HardState, to db: SQLiteDatabase) throws(StorageError) {
        let upsert = try db.prepare(
            "INSERT OR REPLACE INTO raft_hard_state(id, term, vote, commit_index, checksum) VALUES (1, ?1, ?2, ?3, ?4)")
        defer { upsert.reset() }
        try upsert.bind(1, state.term)
        try upsert.bind(2, state.vote?.name)
        try upsert.bind(3, state.commit)
        try upsert.bind(4, Int64(checksum(state)))
        try upsert.run()
    }

    static func readHardState(from db: SQLiteDatabase) throws(StorageError) -> Raft.HardState {
        let select = try db.prepare("SELECT term, vote, commit_index, checksum FROM raft_hard_state WHERE id = 1")
        defer { select.reset() }
        guard try select.step() else { throw StorageError(path: db.path, .invalidRow(.hardState, reason: "row is missing")) }
        let state = Raft.HardState(term: select.uint64(0), vote: select.text(1).map(NodeID.init), commit: select.uint64(2))
        let stored = UInt32(truncatingIfNeeded: select.int64(3))
        let computed = checksum(state)
        guard stored == computed, (0 ... Int64(UInt32.max)).contains(select.int64(3)) else {
            throw StorageError(path: db.path, .checksumMismatch(.hardState, stored: stored, computed: computed))
        }
        return state
    }

    // MARK: Snapshot

    static func encode(_ conf: Raft.ConfState) -> [UInt8] {
        var writer = ByteWriter()
        for list in [conf.voters, conf.learners] {
            writer.write(UInt32(list.count))
            for node in list { writer.writeField(Array(node.name.utf8)) }
        }
        return writer.bytes
    }

    static func decodeConf(_ bytes: [UInt8]) throws(KVCodingError) -> Raft.ConfState {
        var reader = ByteReader(bytes)
        var lists: [[NodeID]] = []
        for _ in 0 ..< 2 {
            let count = try reader.readUInt32()
            var list: [NodeID] = []
            for _ in 0 ..< count { list.append(NodeID(try reader.readString())) }
            lists.append(list)
        }
        try reader.expectEnd()
        return Raft.ConfState(voters: lists[0], learners: lists[1])
    }

    static func writeSnapshot(_ snapshot: Raft.Snapshot, to db: SQLiteDatabase) throws(StorageError) {
        let conf = encode(snapshot.metadata.confState)
        let upsert = try db.prepare(
            "INSERT OR REPLACE INTO raft_snapshot(id, idx, term, conf, data, checksum) VALUES (1, ?1, ?2, ?3, ?4, ?5)")
        defer { upsert.reset() }
        try upsert.bind(1, snapshot.index)
        try upsert.bind(2, snapshot.term)
        try upsert.bind(3, conf)
        try upsert.bind(4, snapshot.data)
        try upsert.bind(5, Int64(checksum(snapshot.metadata, conf: conf, data: snapshot.data)))
        try upsert.run()
    }

    static func readSnapshot(from db: SQLiteDatabase) throws(StorageError) -> Raft.Snapshot {
        let select = try db.prepare("SELECT idx, term, conf, data, checksum FROM raft_snapshot WHERE id = 1")
        defer { select.reset() }
        guard try select.step() else { throw StorageError(path: db.path, .invalidRow(.snapshot, reason: "row is missing")) }
        let conf = select.blob(2)
        let data = select.blob(3)
        var metadata = Raft.SnapshotMetadata(index: select.uint64(0), term: select.uint64(1))
        let stored = UInt32(truncatingIfNeeded: select.int64(4))
        let computed = checksum(metadata, conf: conf, data: data)
        guard stored == computed, (0 ... Int64(UInt32.max)).contains(select.int64(4)) else {
            throw StorageError(path: db.path, .checksumMismatch(.snapshot, stored: stored, computed: computed))
        }
        do {
            metadata.confState = try decodeConf(conf)
        } catch {
            throw StorageError(path: db.path, .invalidRow(.snapshot, reason: "configuration \(error)"))
        }
        return Raft.Snapshot(metadata: metadata, data: data)
    }
}
