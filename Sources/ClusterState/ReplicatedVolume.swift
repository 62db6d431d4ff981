/// Ordinal's replicated storage (design §6, storage class `replicated`): where a volume's
/// copies live and how fresh each is. The controller chooses the nodes; the primary — the
/// node whose copy is writable, where the pod runs — snapshots the volume every interval and
/// ships each snapshot to the other copies, and reports what each acknowledged.
///
/// `epoch` counts failovers: a snapshot is named by `(epoch, generation)`, and a report or a
/// transfer from an earlier epoch (an old primary that comes back) is refused, so a copy
/// never mixes two primaries' histories.
extension PersistentVolume {
    package struct ReplicatedSource: Codable, Sendable, Hashable {
        /// How many copies the volume should have, the primary's included.
        package var replicas: Int
        /// The node whose copy is writable; the volume's pod runs there.
        package var primary: String
        /// Every node holding (or building) a copy, the primary first.
        package var nodes: [String]
        /// Failovers so far, plus one; every snapshot carries the epoch it was taken in.
        package var epoch: UInt64

        package init(replicas: Int, primary: String, nodes: [String], epoch: UInt64 = 1) {
            self.replicas = replicas
            self.primary = primary
            self.nodes = nodes
            self.epoch = epoch
        }
    }

    /// What one copy holds, as its primary last saw it acknowledged.
    package struct CopyStatus: Codable, Sendable, Hashable {
        package var node: String
        /// The epoch and generation of the whole snapshot the copy holds.
        package var epoch: UInt64
        package var generation: UInt64
        /// When the primary took that snapshot (Unix milliseconds, the primary's clock).
        package var snapshotUnixMillis: Int64

        package init(node: String, epoch: UInt64, generation: UInt64, snapshotUnixMillis: Int64) {
            self.node = node
            self.epoch = epoch
            self.generation = generation
            self.snapshotUnixMillis = snapshotUnixMillis
        }
    }

    /// A primary's report of its own latest snapshot and each copy's acknowledged one.
    package struct ReplicationReport: Codable, Sendable, Hashable {
        package var volume: String
        package var primary: String
        package var epoch: UInt64
        /// The primary's latest snapshot.
        package var latest: CopyStatus
        /// Every other copy that acknowledged a snapshot of this epoch.
        package var copies: [CopyStatus]

        package init(volume: String, primary: String, epoch: UInt64, latest: CopyStatus, copies: [CopyStatus]) {
            self.volume = volume
            self.primary = primary
            self.epoch = epoch
            self.latest = latest
            self.copies = copies
        }
    }

    /// The volume's health as `ordinal get pv` shows it.
    package enum ReplicationState: String, Sendable {
        /// Every copy the volume should have exists and holds a snapshot of this epoch.
        case healthy = "Healthy"
        /// A copy is being built: listed, but has acknowledged nothing of this epoch yet.
        case rebuilding = "Rebuilding"
        /// Fewer copies than asked for exist (not enough nodes with a volume pool).
        case degraded = "Degraded"
    }

    /// Bound of epochs, generations and snapshot times (2^53: exact in JSON numbers), so
    /// that adding one or subtracting two of them never traps.
    package static let maxCounter: UInt64 = 1 << 53

    /// Whether the volume is replicated (storage class `replicated`), not `local`.
    package var isReplicated: Bool { spec.replicated != nil }

    /// The copy on `node`, when it reported one of the current epoch.
    package func copy(on node: String) -> CopyStatus? {
        guard let source = spec.replicated else { return nil }
        return status?.copies?.first { $0.node == node && $0.epoch == source.epoch }
    }

    package var replicationState: ReplicationState? {
        guard let source = spec.replicated else { return nil }
        if source.nodes.count < source.replicas { return .degraded }
        if source.nodes.contains(where: { copy(on: $0) == nil }) { return .rebuilding }
        return .healthy
    }

    /// How far `node`'s copy trails the primary's latest snapshot, in milliseconds, as of
    /// the primary's last report; nil before the copy acknowledged anything.
    package func lagMillis(of node: String) -> Int64? {
        guard let source = spec.replicated, let latest = copy(on: source.primary), let held = copy(on: node) else { return nil }
        return max(0, latest.snapshotUnixMillis - held.snapshotUnixMillis)
    }
}

extension ClusterState {
    /// Records a primary's replication report on its volume, replacing the last one. Refused (changing nothing)
    /// unless the reporter is the volume's primary in the report's epoch, so a returning old
    /// primary cannot overwrite what the new one reports.
    mutating func report(_ report: PersistentVolume.ReplicationReport, context: inout ApplyContext) -> ApplyResult {
        let key = ObjectKey(namespace: "", name: report.volume)
        guard var volume = volumes[key] else { return .rejected(.notFound(.persistentVolume, report.volume)) }
        guard let source = volume.spec.replicated, source.primary == report.primary, source.epoch == report.epoch else {
            return .rejected(.conflict(.persistentVolume, report.volume, "the report is from \(report.primary) in epoch \(report.epoch), not from the volume's primary"))
        }
        // The report is the whole truth of the epoch: a copy it leaves out (one that lost the
        // snapshot its primary expected) no longer counts as holding one.
        let inRange = ([report.latest] + report.copies).allSatisfy {
            $0.generation <= PersistentVolume.maxCounter && (0 ... Int64(PersistentVolume.maxCounter)).contains($0.snapshotUnixMillis)
        }
        guard inRange else {
            return .rejected(.conflict(.persistentVolume, report.volume, "a generation or snapshot time is out of range"))
        }
        let copies = ([report.latest] + report.copies).filter { $0.epoch == source.epoch && source.nodes.contains($0.node) }
        var status = volume.status ?? PersistentVolume.Status(phase: "Bound")
        let byNode = Dictionary(copies.map { ($0.node, $0) }) { a, _ in a }
        status.copies = source.nodes.compactMap { byNode[$0] }
        guard status != volume.status else { return .applied(.persistentVolume(volume), changed: false) }
        volume.status = status
        return .applied(context.write(&self, .persistentVolume(volume), as: .modified), changed: true)
    }
}
