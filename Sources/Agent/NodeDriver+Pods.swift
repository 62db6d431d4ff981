import CRI
import CoreMetrics
import Foundation
import Telemetry
import AgentCore
import API
import Basics
import ClusterState
import Logging
import Runtime
import Synchronization

extension NodeDriver {
    /// A pod pass the node asked for (``AgentCore/AgentEffect/runPods(lease:report:)``).
    struct PodRequest: Sendable {
        var lease: LeaseHolder
        var report: Bool

        /// A waiting request that wanted a report still wants one, and the lease that reaches
        /// further wins (a pass that ran out of launch time re-posts the lease it had).
        static func merge(_ waiting: PodRequest, _ newer: PodRequest) -> PodRequest {
            let lease = (waiting.lease.deadline ?? .zero) > (newer.lease.deadline ?? .zero) ? waiting.lease : newer.lease
            return PodRequest(lease: lease, report: waiting.report || newer.report)
        }
    }

    /// This agent's side of its pods (design §5–§6): for each pass the node asks for, it
    /// stops and starts pods as ``AgentCore/PodDuty`` says, hands their keepers the lease,
    /// and (when asked) hands the node the ``AgentCore/PodReport`` to send to the leader.
    /// Every supervisor report or exit tells the node (`.podsChanged`). First it adopts the
    /// pods whose keepers outlived an earlier run of this agent.
    func runPods() async {
        await withDiscardingTaskGroup { group in
            for (key, supervisor) in adoptKeepers() { follow(key, supervisor, adopted: true, in: &group) }
            for await request in podRequests.requests {
                guard !pods.isClosed else { break }
                for (key, supervisor) in podPass(lease: request.lease) { follow(key, supervisor, adopted: false, in: &group) }
                guard request.report else { continue }
                let report = entry(podReport(), of: "pod status report")
                _ = mailbox.post(.event(.podsRan(report: report, now: now)))
            }
        }
    }

    /// Records a pod's reports until its keeper exits, then frees its identity here. The task
    /// holds the handle, so a pod this agent does not keep in ``PodSupervisors`` (a second
    /// keeper for one identity, being stopped) stays attached until it is gone.
    private func follow(_ key: ObjectKey, _ supervisor: PodSupervisor, adopted: Bool, in group: inout DiscardingTaskGroup) {
        group.addTask { [pods, mailbox, clock, metrics, self] in
            let pid = supervisor.pid
            var exit: SupervisorExit?
            var counted = PodRuntimeTally(countsFirstReport: !adopted)
            for await report in supervisor.reports {
                pods.record(report, for: key, pid: pid)
                counted.count(report, into: metrics)
                exit = report.exit
                _ = mailbox.post(.event(.podsChanged(now: clock.now())))
            }
            guard !Task.isCancelled else { return }
            if case .failed(let reason)? = exit {
                logger.warning("pod keeper failed", metadata: ["pod": "\(key.namespace)/\(key.name)", "error": "\(reason)"])
            }
            pods.remove(key, pid: pid, exit: exit, now: clock.now())
            _ = mailbox.post(.event(.podsChanged(now: clock.now())))
        }
    }

    /// Takes over every pod whose keeper still listens under the data dir: a restarted agent
    /// renews their leases at its next pass, or stops them if its replica no longer assigns
    /// them here, so an agent restarted within its lease restarts no pod.
    private func adoptKeepers() -> [(ObjectKey, PodSupervisor)] {
        let directory = launchPlan.keeperDirectory
        do {
            try PrivateFile.makeDirectory(directory)
        } catch {
            logger.warning("cannot create the keeper directory", metadata: ["path": "\(directory)", "error": "\(error)"])
            return []
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.sorted().compactMap { name -> (ObjectKey, PodSupervisor)? in
            let socket = "\(directory)/\(name)"
            let supervisor: PodSupervisor
            do {
                guard let adopted = try PodSupervisor.adopt(socket: socket, runtime: containerRuntime) else { return nil }
                supervisor = adopted
            } catch {
                logger.warning("cannot adopt a pod keeper", metadata: ["socket": "\(socket)", "error": "\(error)"])
                return nil
            }
            let launch = supervisor.launch
            let key = ObjectKey(namespace: launch.namespace, name: launch.name)
            if pods.held[key] != nil {
                logger.warning("a second keeper holds a pod identity; stopping it", metadata: ["pod": "\(key.namespace)/\(key.name)", "keeper.pid": "\(supervisor.pid)"])
                supervisor.stop()
                return (key, supervisor)
            }
            pods.add(key, .init(held: .init(uid: launch.uid, epoch: launch.fencingEpoch), process: supervisor, lease: supervisor.lease))
            metrics.podAdoptions.increment()
            logger.info("pod adopted from its keeper", metadata: ["pod": "\(key.namespace)/\(key.name)", "pod.epoch": "\(launch.fencingEpoch)", "keeper.pid": "\(supervisor.pid)"])
            return (key, supervisor)
        }
    }

    /// How long one pod pass may spend launching pods.
    static let launchBudget: Duration = .milliseconds(500)

    /// Stops and starts pods; returns the ones it started.
    private func podPass(lease: LeaseHolder) -> [(ObjectKey, PodSupervisor)] {
        let (state, applied) = store.cluster
        let now = self.now
        let monotonicNow = clock.keepers()
        let plan = PodDuty.plan(state: state, node: settings.name.name, held: pods.held, lease: lease, applied: applied, now: now)
        let stopped = pods.stop(plan.stop)
        pods.record(stopped.flatMap { key in
            state.pods[key].map { PodEvents.stopping($0, node: settings.name.name, now: wallClock) } ?? []
        })
        guard let deadline = lease.deadline, lease.isValid(at: now) else { return [] }
        // Read the monotonic clock before `now`: a pause in between shortens the deadline.
        let monotonicDeadline = monotonicNow.adding(deadline - now)
        pods.renew(until: monotonicDeadline)
        if applied >= lease.readIndex, lastSweep.exchange(applied, ordering: .relaxed) != applied {
            for path in launchPlan.sweep(state: state, running: Set(pods.held.values.map(\.uid))) {
                logger.info("removed an unused directory", metadata: ["path": "\(path)"])
            }
            if let containerRuntime { sweepSandboxes(containerRuntime) }
        }
        guard podAddressesReady(state) else {
            if !plan.start.isEmpty { logger.debug("pods wait for this node's pod routes") }
            return []
        }
        // A launch costs milliseconds; hundreds in one pass would hold back the next lease
        // renewal past the lease, and the keepers started first would fence their pods. Launch for a bounded time, then ask for another pass at once.
        let budgetEnd = ContinuousClock.now + Self.launchBudget
        var deferred = false
        defer { if deferred { podRequests.post(PodRequest(lease: lease, report: false)) } }
        return plan.start.compactMap { pod in
            guard ContinuousClock.now < budgetEnd else {
                deferred = true
                return nil
            }
            let key = ObjectKey(namespace: pod.metadata.namespace ?? "default", name: pod.metadata.name)
            guard pods.mayLaunch(key, now: now) else { return nil }
            do {
                let launch = try launchPlan.launch(pod, state: state, lease: monotonicDeadline)
                let supervisor = try PodSupervisor.launch(launch, keeper: launchPlan.keeper, socket: launchPlan.keeperSocket(uid: launch.uid), runtime: containerRuntime)
                // A keeper an earlier run left at this socket is adopted rather than doubled.
                let kept = supervisor.launch
                pods.add(key, .init(held: .init(uid: kept.uid, epoch: kept.fencingEpoch), process: supervisor, lease: supervisor.lease))
                if kept == launch {
                    metrics.podStarts.increment()
                    logger.info("pod started", metadata: ["pod": "\(key.namespace)/\(key.name)", "pod.epoch": "\(launch.fencingEpoch)", "keeper.pid": "\(supervisor.pid)"])
                } else {
                    metrics.podAdoptions.increment()
                    logger.info("pod adopted from its keeper", metadata: ["pod": "\(key.namespace)/\(key.name)", "pod.epoch": "\(kept.fencingEpoch)", "keeper.pid": "\(supervisor.pid)"])
                }
                return (key, supervisor)
            } catch {
                logger.warning("pod cannot start", metadata: ["pod": "\(key.namespace)/\(key.name)", "error": "\(error)"])
                return nil
            }
        }
    }

    /// Removes the sandboxes this node left in the runtime that no pod here holds any more: a
    /// pod fenced by its keeper, or whose agent died before removing it, leaves an exited
    /// sandbox behind (the kubelet's garbage collector removes the same).
    private func sweepSandboxes(_ runtime: CRIClient) {
        let node = settings.name.name
        Task { [pods, logger] in
            guard let sandboxes = try? await runtime.listPodSandbox(labels: [SandboxPlan.Label.node: node]) else { return }
            let held = Set(pods.held.values.map(\.uid))
            for sandbox in sandboxes where !held.contains(sandbox.labels[SandboxPlan.Label.podUID] ?? "") {
                do {
                    try await runtime.stopPodSandbox(sandbox.id)
                    try await runtime.removePodSandbox(sandbox.id)
                    logger.info("removed a sandbox no pod holds", metadata: ["sandbox": "\(sandbox.id)", "pod": "\(sandbox.metadata.namespace)/\(sandbox.metadata.name)"])
                } catch {
                    logger.warning("cannot remove a sandbox no pod holds", metadata: ["sandbox": "\(sandbox.id)", "error": "\(error)"])
                }
            }
        }
    }

    /// Whether a pod's address can be bound here: always on loopback; with a routed pod
    /// CIDR, once ``PodNetwork`` has made this node's block local.
    private func podAddressesReady(_ state: ClusterState) -> Bool {
        guard !settings.podCIDR.isLoopback else { return true }
        let block = state.nodes[ObjectKey(namespace: "", name: settings.name.name)]?.spec.podCIDR
        return block != nil && block == localPodBlock.current
    }

    /// What the runtime observed, as ``AgentCore/PodReport`` turns it into one entry.
    private func podReport() -> [ClusterCommand] {
        let observed = pods.reports.mapValues { PodReport.Observed(held: $0.held, containers: $0.report.containers, podIP: $0.report.podIP) }
        return PodReport.commands(
            state: store.cluster.state, node: settings.name.name, observed: observed, held: pods.held, events: pods.takeEvents(), now: wallClock
        )
    }
}

/// One supervisor's reports turned into the agent's runtime counters: each report carries
/// totals (restarts since the pod started, probe failures since the supervisor started), so the
/// tally counts what grew since the last one. An adopted pod's first report is its baseline:
/// the restarts before it were counted by the earlier run of the agent.
struct PodRuntimeTally {
    private var restarts = 0
    private var probeFailures: UInt64 = 0
    private var countsNext: Bool

    init(countsFirstReport: Bool) {
        countsNext = countsFirstReport
    }

    mutating func count(_ report: PodRuntimeReport, into metrics: AgentMetrics) {
        guard countsNext else {
            countsNext = true
            restarts = report.containers.reduce(0) { $0 + max(0, $1.restartCount) }
            return
        }
        let restarts = report.containers.reduce(0) { $0 + max(0, $1.restartCount) }
        if restarts > self.restarts { metrics.containerRestarts.increment(by: Int64(restarts - self.restarts)) }
        self.restarts = max(self.restarts, restarts)
        let failures = report.probeFailures ?? 0
        if failures > probeFailures { metrics.probeFailures.increment(by: Int64(clamping: failures - probeFailures)) }
        probeFailures = max(probeFailures, failures)
        if report.exit == .leaseExpired { metrics.fencingKills.increment() }
    }
}
