// The child process of StorageTests' crash tests: writes to a database until it is killed,
// printing each index only after the write returned (durable). The test SIGKILLs it at a
// random moment and checks that every printed index survived and nothing torn is accepted.
//
// Usage: StorageCrasher append|install <db-path>
// append: entry i (term 1) carries data `entryPayload(i)`; each persist also sets
//   commit = i - 1, and every 7th write appends two entries and rewrites the previous one
//   (a conflict truncation).
// install: snapshot i (term 1) is installed as a follower installs one from its leader: the
//   Raft snapshot and the state it carries (key "k" = `entryPayload(i)`, revision i, built
//   through a second state machine at <db-path>.source) in one transaction.

import Basics
import Consensus
import Storage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Deterministic, index-dependent bytes of varying length (up to ~3 KiB, so some writes span
/// pages), which the test recomputes.
func entryPayload(_ index: UInt64) -> [UInt8] {
    var rng = SplitMix64(seed: index)
    let count = Int(rng.next() % 3_000)
    return (0 ..< count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
}

/// Writes a line straight to a file descriptor: no stdio buffer that a SIGKILL could lose,
/// and one `write(2)` under `PIPE_BUF` bytes, so the test never reads half a line as a number.
func emit(_ line: String, to fd: Int32) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
}

/// Appends entries, sometimes overwriting the previous one.
func appendForever(path: String) throws {
    let storage = try SQLiteRaftStorage(path: path)
    var index = storage.lastIndex + 1
    var write = 0
    while true {
        write += 1
        var batch = [Raft.Entry(term: 1, index: index, data: entryPayload(index))]
        if write % 7 == 0 {
            // Rewrite the previous entry with identical content, plus one more: exercises the
            // truncate-then-insert path inside one transaction.
            if index > 1 { batch.insert(Raft.Entry(term: 1, index: index - 1, data: entryPayload(index - 1)), at: 0) }
            batch.append(Raft.Entry(term: 1, index: index + 1, data: entryPayload(index + 1)))
        }
        let last = batch[batch.count - 1].index
        try storage.persist(hardState: Raft.HardState(term: 1, vote: NodeID("crasher"), commit: last - 1), entries: batch)
        emit(String(last), to: 1)
        index = last + 1
    }
}

/// Installs ever newer snapshots with their state, as `AgentStore.persist` does.
func installForever(path: String) throws {
    let storage = try SQLiteRaftStorage(path: path)
    let state = try ReplicatedStateMachine(path: path)
    let source = try ReplicatedStateMachine(path: path + ".source")
    var index = max(storage.lastIndex, source.appliedIndex) + 1
    while true {
        // The source catches up to `index` with gap-free no-ops, then the payload write.
        let filler = (source.appliedIndex + 1 ..< index).map { Raft.Entry(term: 1, index: $0, kind: .noop, data: []) }
        let put = Raft.Entry(term: 1, index: index, data: KVCommand.put(key: "k", value: entryPayload(index)).encoded)
        try source.apply(filler + [put])
        let snapshot = Raft.Snapshot(metadata: Raft.SnapshotMetadata(index: index, term: 1), data: try source.snapshotData())
        let restoration = try state.decode(snapshot)
        try storage.persist(hardState: Raft.HardState(term: 1, vote: NodeID("crasher"), commit: index), snapshot: snapshot) { database throws(StorageError) in
            try state.write(restoration, into: database)
        }
        state.adopt(restoration)
        emit(String(index), to: 1)
        index += 1
    }
}

let arguments = CommandLine.arguments
guard arguments.count == 3, ["append", "install"].contains(arguments[1]) else {
    emit("usage: StorageCrasher append|install <db-path>", to: 2)
    exit(2)
}
do {
    if arguments[1] == "append" { try appendForever(path: arguments[2]) } else { try installForever(path: arguments[2]) }
} catch {
    emit("StorageCrasher: \(error)", to: 2)
    exit(1)
}
