import AgentCore
import Basics
import ClusterState
import Dispatch
import Foundation
import Logging
import Synchronization
import Transport

/// This agent's part in replicated volumes (design §6, `docs/storage.md`), driven by the
/// replica: as a volume's primary it snapshots the volume every interval and ships each
/// snapshot to the other copies (``VolumeSender``), reporting what they acknowledged; as a
/// copy it takes the primary's snapshots (``VolumeReceiver``); when the primary moves here
/// it makes the newest whole copy writable (``prepare(_:)``); and it sets aside what no
/// longer belongs here — an old primary's volume becomes a read-only recovery snapshot,
/// never merged and never overwritten.
final class VolumeReplication: Sendable {
    let pool: BtrfsPool
    let receiver: VolumeReceiver
    private let me: NodeID
    private let sender: VolumeSender
    private let store: AgentStore
    private let address: @Sendable (NodeID) -> Endpoint?
    private let logger: Logger
    private let sends = DispatchQueue(label: "ordinal.volume-sender", attributes: .concurrent)
    private let book = Mutex(Book())

    /// What the primary knows of its volumes' copies.
    private struct Book {
        /// Volume -> node -> the snapshot the copy acknowledged last.
        var acked: [String: [String: PersistentVolume.CopyStatus]] = [:]
        /// Transfers running, as `volume/node`, and the snapshots they read.
        var active: [String: Set<SnapshotName>] = [:]
        /// Copies (`volume/node`) that lack the parent an increment needs: the next
        /// transfer sends the whole volume.
        var wholeNext: Set<String> = []
        /// What happened since the last pass that an operator should see as an event.
        var notices: [Notice] = []
        /// Copies (`volume/node`) whose lag is over ``lagWarning``.
        var lagging: Set<String> = []
        /// Copies whose last transfer failed: not retried before `at`; the wait doubles
        /// up to ``maxRetryDelay`` (a copy that has no room would take a whole volume every
        /// second otherwise).
        var retry: [String: (at: ContinuousClock.Instant, delay: Duration)] = [:]
    }

    static let maxRetryDelay: Duration = .seconds(30)

    /// A copy further behind than this is reported (event `ReplicationLagging`).
    static let lagWarning: Int64 = 10_000

    /// Something to record as a warning event on a volume.
    struct Notice: Sendable {
        var volume: String
        var reason: String
        var message: String
    }

    init(me: NodeID, pool: BtrfsPool, transport: PeerTransport, store: AgentStore, logger: Logger, address: @escaping @Sendable (NodeID) -> Endpoint?) {
        self.me = me
        self.pool = pool
        self.store = store
        self.address = address
        self.logger = logger
        sender = VolumeSender(me: me, pool: pool, transport: transport)
        receiver = VolumeReceiver(me: me, pool: pool, transport: transport, store: store, logger: logger, address: address) { volume, name in
            logger.debug("volume snapshot applied", metadata: ["volume": "\(volume)", "snapshot": "\(name)"])
        }
    }

    func receive(_ message: VolumeMessage) {
        switch message {
        case .chunk(let chunk): receiver.receive(chunk)
        case .ack(let ack): sender.receive(ack)
        }
    }

    // MARK: The pod's volume

    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    /// The writable path of a replicated volume whose primary is this node, made from the
    /// newest whole copy here when the primary just moved here, or new and empty for a
    /// volume that never held data. Blocking.
    func prepare(_ volume: PersistentVolume) throws(Missing) -> String {
        let name = volume.metadata.name
        guard let source = volume.spec.replicated, source.primary == me.name else {
            throw Missing(description: "volume \(name)'s primary is \(volume.spec.replicated?.primary ?? "unknown"), not \(me.name)")
        }
        let path = pool.writable(name, epoch: source.epoch)
        if FileManager.default.fileExists(atPath: path) { return path }
        setAside(name, keeping: source.epoch)
        let copies = pool.copies(name)
        do {
            if let newest = pool.snapshotNames(in: copies).last {
                try pool.snapshot(pool.copy(name, newest), to: path, writable: true)
                pool.deleteCopies(name)
                logger.notice("volume promoted from its copy", metadata: ["volume": "\(name)", "snapshot": "\(newest)", "epoch": "\(source.epoch)"])
                return path
            }
            guard source.epoch == 1, volume.status?.copies?.isEmpty ?? true else {
                throw Missing(description: "volume \(name) has no copy on \(me.name): it held data before, so it is not created empty")
            }
            try pool.createSubvolume(path)
            return path
        } catch let failure as BtrfsPool.Failure {
            throw Missing(description: "volume \(name): \(failure)")
        } catch let missing as Missing {
            throw missing
        } catch {
            throw Missing(description: "volume \(name): \(error)")
        }
    }

    /// Moves this node's writable volumes of `volume` from other epochs (an old primary's,
    /// with writes no copy may have) to `recovery/`, read-only.
    private func setAside(_ volume: String, keeping epoch: UInt64?) {
        for old in pool.writableVolumes()[volume] ?? [] where old != epoch {
            let path = pool.writable(volume, epoch: old)
            let kept = "\(pool.recoveryDirectory)/\(volume)@e\(old)-\(Int64(Date().timeIntervalSince1970))"
            do {
                try pool.snapshot(path, to: kept)
                pool.deleteSubvolume(path)
                let message = "\(me.name) held this volume as primary in epoch \(old), which may hold writes no copy received; it is kept read-only at \(kept), not merged (see `ordinal volume recover --help`)"
                book.withLock { $0.notices.append(Notice(volume: volume, reason: "RecoverySnapshot", message: message)) }
                logger.warning("an earlier primary's volume is kept as a recovery snapshot", metadata: ["volume": "\(volume)", "recovery": "\(kept)"])
            } catch {
                logger.error("cannot set an old volume aside", metadata: ["volume": "\(volume)", "error": "\(error)"])
            }
        }
    }

    // MARK: Every interval

    /// Snapshots and ships every volume this node is primary of, sets aside what no longer
    /// belongs here, and returns the reports worth proposing and what to record as events
    /// (recovery snapshots kept, copies falling behind or catching up). Blocking.
    /// - Parameter caughtUp: whether the replica has caught up with the leader, so a volume
    ///   it does not list is deleted, not just not seen yet.
    func pass(caughtUp: Bool) -> (reports: [PersistentVolume.ReplicationReport], notices: [Notice]) {
        let state = store.cluster.state
        var reports: [PersistentVolume.ReplicationReport] = []
        for volume in state.volumes.values {
            guard let source = volume.spec.replicated else { continue }
            let name = volume.metadata.name
            if source.primary == me.name {
                if let report = ship(volume, source: source) { reports.append(report) }
            } else {
                setAside(name, keeping: nil)
                pool.deleteAll(in: pool.snapshots(name))
                if !source.nodes.contains(me.name) { pool.deleteCopies(name) }
            }
        }
        if caughtUp { sweep(known: Set(state.volumes.values.filter(\.isReplicated).map(\.metadata.name))) }
        let notices = book.withLock { book in
            defer { book.notices = [] }
            return book.notices
        }
        return (reports, notices)
    }

    /// Deletes the data of volumes that no longer exist (their claim was deleted).
    private func sweep(known: Set<String>) {
        for (volume, epochs) in pool.writableVolumes() where !known.contains(volume) {
            for epoch in epochs { pool.deleteSubvolume(pool.writable(volume, epoch: epoch)) }
        }
        for directory in ["snapshots", "copies", "incoming"] {
            for volume in (try? FileManager.default.contentsOfDirectory(atPath: "\(pool.root)/\(directory)")) ?? [] where !known.contains(volume) {
                let path = "\(pool.root)/\(directory)/\(volume)"
                if directory == "copies" { pool.deleteCopies(volume) } else { pool.deleteAll(in: path) }
                try? FileManager.default.removeItem(atPath: path)
            }
        }
    }

    /// Takes the next snapshot of a volume this node is primary of and starts a transfer to
    /// each copy that is not receiving one; the report of what the copies hold.
    private func ship(_ volume: PersistentVolume, source: PersistentVolume.ReplicatedSource) -> PersistentVolume.ReplicationReport? {
        let name = volume.metadata.name
        let path = pool.writable(name, epoch: source.epoch)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let directory = pool.snapshots(name)
        pool.makeDirectory(directory)
        let taken = pool.snapshotNames(in: directory).filter { $0.epoch == source.epoch }
        let next = SnapshotName(epoch: source.epoch, generation: (taken.last?.generation ?? volume.copy(on: me.name)?.generation ?? 0) + 1)
        let millis = Int64(Date().timeIntervalSince1970 * 1000)
        do {
            try pool.snapshot(path, to: "\(directory)/\(next)")
        } catch {
            logger.warning("volume snapshot failed", metadata: ["volume": "\(name)", "error": "\(error)"])
            return nil
        }
        let latest = PersistentVolume.CopyStatus(node: me.name, epoch: source.epoch, generation: next.generation, snapshotUnixMillis: millis)
        for node in source.nodes where node != me.name {
            start(volume, copy: node, snapshot: next, millis: millis, epoch: source.epoch)
        }
        return book.withLock { book in
            // A node no longer listed deletes its copy: what it acknowledged is gone with it.
            book.acked[name] = book.acked[name]?.filter { source.nodes.contains($0.key) }
            let keep = Set((book.acked[name] ?? [:]).values.filter { $0.epoch == source.epoch }.map { SnapshotName(epoch: $0.epoch, generation: $0.generation) })
                .union([next]).union(book.active.filter { $0.key.hasPrefix(name + "/") }.values.flatMap { $0 })
            pool.deleteAll(in: directory, except: Set(keep.map(\.description)))
            let copies = source.nodes.compactMap { book.acked[name]?[$0] }.filter { $0.epoch == source.epoch }
            for copy in copies {
                let slot = "\(name)/\(copy.node)", lag = millis - copy.snapshotUnixMillis
                if lag > Self.lagWarning, book.lagging.insert(slot).inserted {
                    book.notices.append(Notice(volume: name, reason: "ReplicationLagging", message: "the copy on \(copy.node) is \(lag / 1000) s behind the primary \(me.name) (warning above \(Self.lagWarning / 1000) s): a loss of \(me.name) now would lose that much"))
                } else if lag <= Self.lagWarning, book.lagging.remove(slot) != nil {
                    book.notices.append(Notice(volume: name, reason: "ReplicationCaughtUp", message: "the copy on \(copy.node) is \(lag) ms behind the primary \(me.name) again"))
                }
            }
            return .init(volume: name, primary: me.name, epoch: source.epoch, latest: latest, copies: copies)
        }
    }

    /// Starts shipping `snapshot` to `copy` unless a transfer to it is running.
    private func start(_ volume: PersistentVolume, copy node: String, snapshot: SnapshotName, millis: Int64, epoch: UInt64) {
        let name = volume.metadata.name, slot = "\(name)/\(node)"
        guard let address = address(NodeID(node)) else { return }
        let snapshots = pool.snapshots(name)
        let claim = book.withLock { book -> (claimed: Bool, parent: SnapshotName?) in
            guard book.active[slot] == nil, book.retry[slot].map({ ContinuousClock.now >= $0.at }) ?? true else { return (false, nil) }
            let acked = book.wholeNext.contains(slot) ? nil : (book.acked[name]?[node] ?? volume.copy(on: node))
            let parent = acked.map { SnapshotName(epoch: $0.epoch, generation: $0.generation) }.flatMap { parent in
                parent.epoch == epoch && FileManager.default.fileExists(atPath: "\(snapshots)/\(parent)") ? parent : nil
            }
            book.active[slot] = Set([snapshot] + (parent.map { [$0] } ?? []))
            return (true, parent)
        }
        guard claim.claimed else { return }
        let parent = claim.parent
        let job = VolumeSender.Job(volume: name, copy: NodeID(node), address: address, snapshot: snapshot, snapshotUnixMillis: millis, parent: parent)
        sends.async { [sender, logger] in
            let outcome = sender.ship(job)
            self.book.withLock { book in
                book.active[slot] = nil
                switch outcome {
                case .applied:
                    book.acked[name, default: [:]][node] = .init(node: node, epoch: snapshot.epoch, generation: snapshot.generation, snapshotUnixMillis: millis)
                    book.wholeNext.remove(slot)
                    book.retry[slot] = nil
                case .refused(_, needsWhole: true):
                    book.acked[name]?[node] = nil
                    book.wholeNext.insert(slot)
                case .refused, .failed:
                    let delay = min(Self.maxRetryDelay, (book.retry[slot]?.delay ?? .milliseconds(500)) * 2)
                    book.retry[slot] = (ContinuousClock.now + delay, delay)
                }
            }
            switch outcome {
            case .applied: break
            case .refused(let reason, _), .failed(let reason):
                logger.info("volume transfer did not complete", metadata: ["volume": "\(name)", "copy": "\(node)", "snapshot": "\(snapshot)", "error": "\(reason)"])
            }
        }
    }
}
