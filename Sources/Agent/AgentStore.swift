import API
import Basics
import Consensus
import Storage
import Synchronization

/// The agent's durable state in `<data-dir>/ordinal.db`: the Raft log and hard state, and
/// the applied key-value state with its applied index. One lock serialises the driver's
/// writes with the API's reads; both are short.
final class AgentStore: Sendable {
    private struct Handles: @unchecked Sendable {
        let log: SQLiteRaftStorage
        let state: KeyValueStateMachine
    }

    private let handles: Mutex<Handles>
    let path: String

    /// Opens (or creates) the database and verifies it.
    /// - Throws: `StorageError` naming the file and what is wrong; the agent refuses to start.
    init(directory: String) throws(StorageError) {
        path = directory.hasSuffix("/") ? directory + "ordinal.db" : directory + "/ordinal.db"
        let log = try SQLiteRaftStorage(path: path)
        let state = try KeyValueStateMachine(path: path)
        handles = Mutex(Handles(log: log, state: state))
    }

    /// A Raft node restored from the log: empty on a new agent, with its log after a restart.
    func restoreRaft(id: NodeID, settings: Raft.Settings, seed: UInt64) throws -> RaftNode {
        try handles.withLock { handles in
            try RaftNode(id: id, storage: handles.log, settings: settings, seed: seed)
        }
    }

    func persist(hardState: Raft.HardState?, entries: [Raft.Entry], snapshot: Raft.Snapshot?) throws {
        try handles.withLock { handles in
            try handles.log.persist(hardState: hardState, entries: entries, snapshot: snapshot)
            if let snapshot, snapshot.metadata.index > handles.state.appliedIndex {
                try handles.state.restore(snapshot)
            }
        }
    }

    func bootstrap(voters: [NodeID]) throws {
        try handles.withLock { try $0.log.bootstrap(voters: voters) }
    }

    func apply(_ entries: [Raft.Entry]) throws {
        try handles.withLock { try $0.state.apply(entries) }
    }

    func read(key: String) -> KeyValueEntry? {
        handles.withLock { handles in
            guard let found = try? handles.state.get(key) else { return nil }
            return KeyValueEntry(value: found.value, revision: found.revision)
        }
    }

    var appliedIndex: UInt64 {
        handles.withLock { $0.state.appliedIndex }
    }
}
