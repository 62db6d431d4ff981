import API
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
            let reports = await withCheckedContinuation { continuation in
                DispatchQueue.global().async { continuation.resume(returning: volumes.pass(caughtUp: caughtUp)) }
            }
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
}
