// The child process of StorageTests' crash test: appends entries to a database until it is
// killed, printing each index only after `persist` returned (durable). The test SIGKILLs it at
// a random moment and checks that every printed index survived and nothing torn is accepted.
//
// Usage: StorageCrasher <db-path>
// Entry i (term 1) carries data `entryPayload(i)`; each persist also sets commit = i - 1, and
// every 7th write appends two entries and rewrites the previous one (a conflict truncation).

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

let arguments = CommandLine.arguments
guard arguments.count == 2 else {
    emit("usage: StorageCrasher <db-path>", to: 2)
    exit(2)
}

do {
    let storage = try SQLiteRaftStorage(path: arguments[1])
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
} catch {
    emit("StorageCrasher: \(error)", to: 2)
    exit(1)
}
