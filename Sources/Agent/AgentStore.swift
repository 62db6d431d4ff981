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
/// Readers never wait for the disk. Only the driver writes, from one thread, through two
/// connections with different durability, each behind its own lock: the Raft log's
/// (`synchronous=FULL`, an fsync per append) and the state machine's (`synchronous=NORMAL`).
/// What the API, DNS, metrics and the passes read is published: after each applied batch
/// the driver swaps in the new applied state (a copy-on-write value) under a lock held only
/// for the swap, and the DNS index likewise; key-value reads go through a connection of
/// their own, which in WAL mode never waits for a write. Installing a leader's snapshot
/// takes both write locks (log first).
final class AgentStore: Sendable {
    private struct LogHandle: @unchecked Sendable {
        let storage: SQLiteRaftStorage
    }

    private struct StateHandle: @unchecked Sendable {
        let machine: ReplicatedStateMachine
    }

    private struct ReaderHandle: @unchecked Sendable {
        let reader: KeyValueReader
    }

    /// The applied state as readers see it, replaced whole after each applied batch.
    private struct Published: Sendable {
        var cluster: ClusterState
        var appliedIndex: UInt64
        var clusterVersion: LogFormat
        /// What recent cluster entries did, by index, for the writers waiting on them.
        var outcomes: [UInt64: ClusterState.Applied] = [:]

        init(_ machine: ReplicatedStateMachine) {
            cluster = machine.cluster
            appliedIndex = machine.appliedIndex
            clusterVersion = machine.clusterVersion
        }
    }

    /// The DNS answers of this replica, kept current as entries are applied; the DNS server
    /// reads it on every query without touching the database.
    private let zone: Mutex<(index: DNSZoneIndex, serial: UInt32)>

    /// How many recent entries' outcomes are kept for their writers.
    private static let outcomeWindow: UInt64 = 4096

    private let log: Mutex<LogHandle>
    private let state: Mutex<StateHandle>
    private let published: Mutex<Published>
    private let reader: Mutex<ReaderHandle>
    let path: String
    let changes: ChangeFeed

    /// Opens (or creates) the database and verifies it.
    /// - Throws: `StorageError` naming the file and what is wrong; the agent refuses to start.
    init(directory: String, zone: DNSName) throws(StorageError) {
        path = directory.hasSuffix("/") ? directory + "ordinal.db" : directory + "/ordinal.db"
        let storage = try SQLiteRaftStorage(path: path)
        let machine = try ReplicatedStateMachine(path: path)
        log = Mutex(LogHandle(storage: storage))
        state = Mutex(StateHandle(machine: machine))
        published = Mutex(Published(machine))
        reader = Mutex(ReaderHandle(reader: try KeyValueReader(path: path)))
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
                published.withLock { $0 = Published(handles.machine) }
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

    /// Applies committed entries, then publishes the state they leave; returns whether any
    /// cluster object changed.
    @discardableResult
    func apply(_ entries: [Raft.Entry]) throws -> Bool {
        let applied = try state.withLock { handles in
            let outcomes = try handles.machine.apply(entries)
            let machine = handles.machine
            let changed = outcomes.sorted { $0.key < $1.key }.flatMap(\.value.changes)
            if !changed.isEmpty {
                zone.withLock { zone in
                    zone.index.apply(changed, state: machine.cluster)
                    zone.serial = UInt32(truncatingIfNeeded: machine.appliedIndex)
                }
            }
            published.withLock { published in
                published.cluster = machine.cluster
                published.appliedIndex = machine.appliedIndex
                published.clusterVersion = machine.clusterVersion
                published.outcomes.merge(outcomes) { $1 }
                if machine.appliedIndex > Self.outcomeWindow {
                    published.outcomes = published.outcomes.filter { $0.key > machine.appliedIndex - Self.outcomeWindow }
                }
            }
            return changed
        }
        changes.publish(applied)
        return !applied.isEmpty
    }

    /// What the cluster entry at `index` did, while it is recent.
    func outcome(at index: UInt64) -> ClusterState.Applied? {
        published.withLock { $0.outcomes[index] }
    }

    /// The cluster state as of the applied index (a copy-on-write value: cheap).
    var cluster: (state: ClusterState, index: UInt64) {
        published.withLock { ($0.cluster, $0.appliedIndex) }
    }

    func read(key: String) -> KeyValueEntry? {
        reader.withLock { handle in
            guard let found = try? handle.reader.get(key) else { return nil }
            return KeyValueEntry(value: found.value, revision: found.revision)
        }
    }

    var appliedIndex: UInt64 {
        published.withLock { $0.appliedIndex }
    }

    /// The log format every member reads, as applied here: the one this agent writes in.
    var clusterVersion: LogFormat {
        published.withLock { $0.clusterVersion }
    }
}
