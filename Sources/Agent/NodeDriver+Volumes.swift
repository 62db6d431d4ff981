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
            let (reports, notices) = await withCheckedContinuation { continuation in
                DispatchQueue.global().async { continuation.resume(returning: volumes.pass(caughtUp: caughtUp)) }
            }
            if !notices.isEmpty { await record(notices) }
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

    /// Records each notice as a warning event on its volume (`ordinal describe pv`, `get
    /// events`): recovery snapshots kept, copies falling behind and catching up.
    private func record(_ notices: [VolumeReplication.Notice]) async {
        let state = store.cluster.state
        let events: [ClusterCommand] = notices.enumerated().compactMap { salt, notice in
            guard let volume = state.volumes[ObjectKey(namespace: "", name: notice.volume)] else { return nil }
            return .create(.event(Event.about(
                Event.ObjectReference(volume), reason: notice.reason, message: notice.message, warning: notice.reason != "ReplicationCaughtUp",
                component: "volume-replication", host: settings.name.name, at: wallClock, salt: salt
            )))
        }
        guard !events.isEmpty else { return }
        if case .unavailable(let reason) = await submit(events) {
            logger.warning("volume event not recorded", metadata: ["error": "\(reason)"])
        }
    }
}
