import Basics
import Consensus
import Foundation
import Storage

/// A fresh directory under the system temp dir, removed when released.
final class TemporaryDirectory: @unchecked Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("ordinal-storage-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// `<dir>/ordinal.db`, as the agent names it.
    var databasePath: String { url.appendingPathComponent("ordinal.db").path }
}

func entry(_ index: UInt64, term: UInt64, _ text: String = "", kind: Raft.Entry.Kind = .normal) -> Raft.Entry {
    Raft.Entry(term: term, index: index, kind: kind, data: Array((text.isEmpty ? "e\(index)t\(term)" : text).utf8))
}

func entries(_ indices: ClosedRange<UInt64>, term: UInt64) -> [Raft.Entry] {
    indices.map { entry($0, term: term) }
}

func snapshot(index: UInt64, term: UInt64, voters: [String] = ["a1", "a2", "a3"], data: String = "state") -> Raft.Snapshot {
    Raft.Snapshot(
        metadata: Raft.SnapshotMetadata(index: index, term: term, confState: Raft.ConfState(voters: voters.map(NodeID.init))),
        data: Array(data.utf8))
}

/// The `Problem` of a thrown ``StorageError``, or `nil` if `body` did not throw one.
func storageProblem(_ body: () throws(StorageError) -> Void) -> StorageError.Problem? {
    do {
        try body()
        return nil
    } catch {
        return error.problem
    }
}

/// Reads everything a restarted node would read, for comparing two stores.
struct StoreImage: Equatable {
    var hardState: Raft.HardState
    var confState: Raft.ConfState
    var snapshot: Raft.Snapshot
    var firstIndex: UInt64
    var lastIndex: UInt64
    var entries: [Raft.Entry]

    init(_ storage: some RaftStorage) throws {
        (hardState, confState) = try storage.initialState()
        snapshot = try storage.snapshot()
        firstIndex = storage.firstIndex
        lastIndex = storage.lastIndex
        entries = try storage.entries(in: storage.firstIndex ..< storage.lastIndex + 1)
    }
}
