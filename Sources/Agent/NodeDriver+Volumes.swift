import API
import Basics
import ClusterState
import Dispatch
import Foundation
import Logging
import Synchronization

extension NodeDriver {
    /// How often a primary reports its copies' progress through Raft at most: the lag
    /// `ordinal get pv` shows is this old at worst, and a cluster of many volumes does not
    /// spend its log on reports.
    static let replicationReportInterval: Duration = .seconds(2)

    /// Every interval: snapshot and ship the volumes this agent is primary of (off the
    /// cooperative pool: btrfs calls block), then propose the reports that are due.
    func runVolumes(_ volumes: VolumeReplication) async {
        var reported: [String: (at: ContinuousClock.Instant, report: PersistentVolume.ReplicationReport)] = [:]
        while !Task.isCancelled {
            let caughtUp = lastSweep.load(ordering: .relaxed) == store.cluster.index
            let (reports, setAside) = await withCheckedContinuation { continuation in
                DispatchQueue.global().async { continuation.resume(returning: volumes.pass(caughtUp: caughtUp)) }
            }
            if !setAside.isEmpty { await record(setAside) }
            let now = ContinuousClock.now
            let due = reports.filter { report in
                guard let last = reported[report.volume] else { return true }
                return now - last.at >= Self.replicationReportInterval || last.report.copies.map(\.node) != report.copies.map(\.node)
            }
            if !due.isEmpty {
                for report in due { reported[report.volume] = (now, report) }
                let outcome = await submit(due.map { .reportReplication($0) })
                if case .unavailable(let reason) = outcome {
                    logger.debug("replication report not committed", metadata: ["error": "\(reason)"])
                }
            }
            try? await Task.sleep(for: settings.volumeInterval)
        }
    }

    /// Records each recovery snapshot as a warning event on its volume, so that an operator
    /// sees in `ordinal describe pv` (and `get events`) that an old primary's data was kept,
    /// where, and how to look at it.
    private func record(_ snapshots: [VolumeReplication.RecoverySnapshot]) async {
        let state = store.cluster.state
        let events: [ClusterCommand] = snapshots.enumerated().compactMap { salt, snapshot in
            guard let volume = state.volumes[ObjectKey(namespace: "", name: snapshot.volume)] else { return nil }
            let message = "\(settings.name.name) held this volume as primary in epoch \(snapshot.epoch), which may hold writes no copy received; it is kept read-only at \(snapshot.path), not merged (see `ordinal volume recover --help`)"
            return .create(.event(Event.about(
                Event.ObjectReference(volume), reason: "RecoverySnapshot", message: message, warning: true,
                component: "volume-replication", host: settings.name.name, at: wallClock, salt: salt
            )))
        }
        guard !events.isEmpty else { return }
        if case .unavailable(let reason) = await submit(events) {
            logger.warning("recovery snapshot event not recorded", metadata: ["error": "\(reason)"])
        }
    }
}
