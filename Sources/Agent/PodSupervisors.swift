import AgentCore
import Basics
import ClusterState
import Runtime
import Synchronization

/// The pods this agent runs, one supervisor and keeper each, with each one's latest report.
/// An entry stays until its keeper has exited, so a pod's identity is never started
/// again here while an older process of it may still be stopping.
final class PodSupervisors: Sendable {
    struct Entry: Sendable {
        let held: PodDuty.Held
        let process: PodSupervisor
        var report: PodRuntimeReport?
        var stopping = false
        var lease: MonotonicDeadline
    }

    private let entries = Mutex<[ObjectKey: Entry]>([:])
    private let closed = Atomic<Bool>(false)
    /// Events recorded between two status reports, sent with the next one.
    private let outbox = Mutex<[Event]>([])

    func record(_ events: [Event]) {
        outbox.withLock { $0 += events }
    }

    func takeEvents() -> [Event] {
        outbox.withLock { events in
            defer { events = [] }
            return events
        }
    }

    /// Once the agent is stopping, nothing new starts.
    var isClosed: Bool { closed.load(ordering: .acquiring) }

    /// Stops every pod gracefully (SIGTERM, SIGKILL after its grace period) and starts none
    /// again. The keepers finish the stops when the agent exits first.
    func close() {
        closed.store(true, ordering: .releasing)
        stop(entries.withLock { Array($0.keys) })
    }

    var held: [ObjectKey: PodDuty.Held] {
        entries.withLock { $0.mapValues(\.held) }
    }

    /// The keeper of each pod this agent runs, whose session holds the pod's processes.
    var keepers: [ObjectKey: Int32] {
        entries.withLock { $0.mapValues(\.process.pid) }
    }

    var reports: [ObjectKey: (held: PodDuty.Held, report: PodRuntimeReport)] {
        entries.withLock { entries in entries.compactMapValues { entry in entry.report.map { (entry.held, $0) } } }
    }

    func add(_ key: ObjectKey, _ entry: Entry) {
        entries.withLock { $0[key] = entry }
    }

    func record(_ report: PodRuntimeReport, for key: ObjectKey, pid: Int32) {
        entries.withLock { entries in
            guard entries[key]?.process.pid == pid else { return }
            entries[key]?.report = report
        }
    }

    /// The keeper has exited; the identity is free here. One that ended
    /// without being asked to (it failed, or died without a last report) is not launched
    /// again for that pod before a back-off (1 s doubling to 60 s), so a broken launch
    /// cannot spin.
    func remove(_ key: ObjectKey, pid: Int32, exit: SupervisorExit?, now: Instant) {
        let unexpected: Bool
        switch exit {
        case .stopped?, .leaseExpired?: unexpected = false
        case .failed?, nil: unexpected = true
        }
        entries.withLock { entries in
            if entries[key]?.process.pid == pid { entries[key] = nil }
        }
        relaunch.withLock { relaunch in
            guard unexpected else {
                relaunch[key] = nil
                return
            }
            let failures = (relaunch[key]?.failures ?? 0) + 1
            var generator = SystemRandomNumberGenerator()
            relaunch[key] = (failures, now + Self.backoff.delay(attempt: failures - 1, using: &generator))
        }
    }

    /// Whether a pod may be launched now.
    func mayLaunch(_ key: ObjectKey, now: Instant) -> Bool {
        relaunch.withLock { $0[key].map { now >= $0.notBefore } ?? true }
    }

    private static let backoff = Backoff(initial: .seconds(1), maximum: .seconds(60))
    private let relaunch = Mutex<[ObjectKey: (failures: Int, notBefore: Instant)]>([:])

    /// Asks each pod once for a graceful stop.
    /// - Returns: the keys asked now (not those already stopping).
    @discardableResult
    func stop(_ keys: [ObjectKey]) -> [ObjectKey] {
        let stopped = entries.withLock { entries in
            keys.compactMap { key -> (ObjectKey, PodSupervisor)? in
                guard let entry = entries[key], !entry.stopping else { return nil }
                entries[key]?.stopping = true
                return (key, entry.process)
            }
        }
        for (_, process) in stopped { process.stop() }
        return stopped.map(\.0)
    }

    /// Hands every keeper a later lease deadline.
    func renew(until deadline: MonotonicDeadline) {
        let processes = entries.withLock { entries in
            entries.keys.compactMap { key -> PodSupervisor? in
                guard let entry = entries[key], entry.lease < deadline else { return nil }
                entries[key]?.lease = deadline
                return entry.process
            }
        }
        for process in processes { process.renewLease(until: deadline) }
    }
}
