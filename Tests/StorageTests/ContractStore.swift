import Basics
import Consensus
import Storage
import Testing

/// The write side both implementations share, normalized to ``Raft/StorageError`` so that one
/// contract suite can run against either.
protocol ContractStore: AnyObject {
    var reader: any RaftStorage { get }
    func persist(hardState: Raft.HardState?, entries: [Raft.Entry], snapshot: Raft.Snapshot?) throws(Raft.StorageError)
    func compact(_ snapshot: Raft.Snapshot) throws(Raft.StorageError)
}

extension ContractStore {
    func append(_ entries: [Raft.Entry]) throws(Raft.StorageError) {
        try persist(hardState: nil, entries: entries, snapshot: nil)
    }
}

final class MemoryStore: ContractStore {
    var memory: MemoryRaftStorage

    init(_ memory: MemoryRaftStorage = MemoryRaftStorage()) { self.memory = memory }

    var reader: any RaftStorage { memory }

    /// On a copy, so that a refused batch changes nothing (as the SQLite transaction does).
    func persist(hardState: Raft.HardState?, entries: [Raft.Entry], snapshot: Raft.Snapshot?) throws(Raft.StorageError) {
        var copy = memory
        if let snapshot { try copy.applySnapshot(snapshot) }
        try copy.append(entries)
        if let hardState { copy.setHardState(hardState) }
        memory = copy
    }

    func compact(_ snapshot: Raft.Snapshot) throws(Raft.StorageError) { try memory.compact(snapshot) }
}

final class SQLiteStore: ContractStore {
    let directory: TemporaryDirectory
    private(set) var sqlite: SQLiteRaftStorage

    init(directory: TemporaryDirectory) throws {
        self.directory = directory
        sqlite = try SQLiteRaftStorage(path: directory.databasePath)
    }

    var reader: any RaftStorage { sqlite }

    func persist(hardState: Raft.HardState?, entries: [Raft.Entry], snapshot: Raft.Snapshot?) throws(Raft.StorageError) {
        do {
            try sqlite.persist(hardState: hardState, entries: entries, snapshot: snapshot)
        } catch {
            throw Self.normalize(error)
        }
    }

    func compact(_ snapshot: Raft.Snapshot) throws(Raft.StorageError) {
        do {
            try sqlite.compact(through: snapshot)
        } catch {
            throw Self.normalize(error)
        }
    }

    /// Closes and reopens the file, as a restarted agent does.
    func reopen() throws {
        sqlite = try SQLiteRaftStorage(path: directory.databasePath)
    }

    private static func normalize(_ error: StorageError) -> Raft.StorageError {
        if case .rejected(let raft) = error.problem { return raft }
        return .io(error.description)
    }
}

/// The implementations the contract suite runs against.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case memory
    case sqlite

    var testDescription: String { rawValue }

    func make() throws -> any ContractStore {
        switch self {
        case .memory: MemoryStore()
        case .sqlite: try SQLiteStore(directory: TemporaryDirectory())
        }
    }

    func bootstrapped(voters: [NodeID], learners: [NodeID] = []) throws -> any ContractStore {
        switch self {
        case .memory:
            return MemoryStore(.bootstrap(voters: voters, learners: learners))
        case .sqlite:
            let store = try SQLiteStore(directory: TemporaryDirectory())
            try store.sqlite.bootstrap(voters: voters, learners: learners)
            return store
        }
    }
}
