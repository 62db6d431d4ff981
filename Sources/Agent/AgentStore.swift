import API
import Basics
import ClusterState
import Consensus
import DNS
import Storage
import Synchronization

/// The agent's durable state in `<data-dir>/ordinal.db`: the Raft log and hard state, and
/// the applied state (cluster objects and the key-value test state) with its applied index.
///
/// Two locks, because they guard two SQLite connections with different durability: the Raft
/// log's (`synchronous=FULL`, an fsync per append) and the state machine's
/// (`synchronous=NORMAL`, no fsync but at checkpoints). The API's, DNS's, metrics' and the
/// passes' reads take only the state lock, so they never wait for the log's fsync. Only the
/// driver writes, from one thread; installing a leader's snapshot takes both (log first).
final class AgentStore: Sendable {
    private struct LogHandle: @unchecked Sendable {
        let storage: SQLiteRaftStorage
    }

    private struct StateHandles: @unchecked Sendable {
        let machine: ReplicatedStateMachine
        /// What recent cluster entries did, by index, for the writers waiting on them.
        var outcomes: [UInt64: ClusterState.Applied] = [:]
    }

    /// The DNS answers of this replica, kept current as entries are applied; the DNS server
    /// reads it on every query without touching the database.
    private let zone: Mutex<(index: DNSZoneIndex, serial: UInt32)>

    /// How many recent entries' outcomes are kept for their writers.
    private static let outcomeWindow: UInt64 = 4096

    private let log: Mutex<LogHandle>
    private let state: Mutex<StateHandles>
    let path: String
    let changes: ChangeFeed

    /// Opens (or creates) the database and verifies it.
    /// - Throws: `StorageError` naming the file and what is wrong; the agent refuses to start.
    init(directory: String, zone: DNSName) throws(StorageError) {
        path = directory.hasSuffix("/") ? directory + "ordinal.db" : directory + "/ordinal.db"
        let storage = try SQLiteRaftStorage(path: path)
        let machine = try ReplicatedStateMachine(path: path)
        log = Mutex(LogHandle(storage: storage))
        state = Mutex(StateHandles(machine: machine))
        changes = ChangeFeed(startingAfter: machine.appliedIndex)
        self.zone = Mutex((DNSZoneIndex(state: machine.cluster, zone: zone), UInt32(truncatingIfNeeded: machine.appliedIndex)))
    }

    /// The DNS index and the SOA serial (the applied index) to answer a query from.
    var dnsZone: (index: DNSZoneIndex, serial: UInt32) {
        zone.withLock { $0 }
    }

    /// Changes whenever DNS answers may (the serial moves with every applied change).
    var dnsGeneration: UInt64 {
        UInt64(zone.withLock { $0.serial })
    }

    /// Reads the Raft log (to restore a node from it: empty on a new agent).
    func withLog<T>(_ body: (SQLiteRaftStorage) throws -> T) throws -> T {
        try log.withLock { try body($0.storage) }
    }

    /// Makes a `Ready`'s durable part durable. A snapshot from the leader is installed in
    /// the same transaction as the state it carries, so a crash at any point leaves the
    /// agent wholly before or wholly after the install.
    /// - Throws: a `StorageError` (nothing was written); the agent must stop.
    func persist(hardState: Raft.HardState?, entries: [Raft.Entry], snapshot: Raft.Snapshot?) throws {
        guard let snapshot, snapshot.metadata.index > appliedIndex else {
            try log.withLock { try $0.storage.persist(hardState: hardState, entries: entries, snapshot: snapshot) }
            return
        }
        try log.withLock { log in
            try state.withLock { handles in
                let restoration = try handles.machine.decode(snapshot)
                try log.storage.persist(hardState: hardState, entries: entries, snapshot: snapshot) { [machine = handles.machine] database throws(StorageError) in
                    try machine.write(restoration, into: database)
                }
                handles.machine.adopt(restoration)
                handles.outcomes = [:]
                changes.reset(after: snapshot.metadata.index)
                let rebuilt = DNSZoneIndex(state: handles.machine.cluster, zone: zone.withLock { $0.index.zone })
                zone.withLock { $0 = (rebuilt, UInt32(truncatingIfNeeded: snapshot.metadata.index)) }
            }
        }
    }

    /// The state machine's snapshot bytes and the index they describe.
    func snapshotData() throws -> (index: UInt64, data: [UInt8]) {
        try state.withLock { handles in
            (handles.machine.appliedIndex, try handles.machine.snapshotData())
        }
    }

    /// Records a snapshot this agent took and drops the log entries it covers.
    func compact(through snapshot: Raft.Snapshot) throws {
        try log.withLock { try $0.storage.compact(through: snapshot) }
    }

    func bootstrap(voters: [NodeID]) throws {
        try log.withLock { try $0.storage.bootstrap(voters: voters) }
    }

    /// Applies committed entries; returns whether any cluster object changed.
    @discardableResult
    func apply(_ entries: [Raft.Entry]) throws -> Bool {
        let applied = try state.withLock { handles in
            let outcomes = try handles.machine.apply(entries)
            handles.outcomes.merge(outcomes) { $1 }
            let applied = handles.machine.appliedIndex
            if applied > Self.outcomeWindow {
                handles.outcomes = handles.outcomes.filter { $0.key > applied - Self.outcomeWindow }
            }
            let changed = outcomes.sorted { $0.key < $1.key }.flatMap(\.value.changes)
            if !changed.isEmpty {
                let cluster = handles.machine.cluster
                zone.withLock { zone in
                    zone.index.apply(changed, state: cluster)
                    zone.serial = UInt32(truncatingIfNeeded: applied)
                }
            }
            return changed
        }
        changes.publish(applied)
        return !applied.isEmpty
    }

    /// What the cluster entry at `index` did, while it is recent.
    func outcome(at index: UInt64) -> ClusterState.Applied? {
        state.withLock { $0.outcomes[index] }
    }

    /// The cluster state as of the applied index (a copy-on-write value: cheap).
    var cluster: (state: ClusterState, index: UInt64) {
        state.withLock { ($0.machine.cluster, $0.machine.appliedIndex) }
    }

    func read(key: String) -> KeyValueEntry? {
        state.withLock { handles in
            guard let found = try? handles.machine.get(key) else { return nil }
            return KeyValueEntry(value: found.value, revision: found.revision)
        }
    }

    var appliedIndex: UInt64 {
        state.withLock { $0.machine.appliedIndex }
    }

    /// The log format every member reads, as applied here: the one this agent writes in.
    var clusterVersion: LogFormat {
        state.withLock { $0.machine.clusterVersion }
    }
}
