import AgentCore
import API
import Basics
import ClusterState
import Logging
import Runtime
import Synchronization

extension NodeDriver {
    /// This agent's side of its pods (design §5–§6): on every applied change, lease renewal
    /// and supervisor report, it starts and stops supervisors as ``AgentCore/PodDuty`` says,
    /// hands them the lease, and reports pod status and confirmed deletions to the leader as
    /// one batched entry, awaited before the next pass.
    func runPods() async {
        await withDiscardingTaskGroup { group in
            for await _ in podBell.rings {
                guard !pods.isClosed else { break }
                for (key, process) in podPass() {
                    let reports = process.reports
                    let pid = process.pid
                    group.addTask { [pods, podBell, self] in
                        var exit: SupervisorExit?
                        for await report in reports {
                            pods.record(report, for: key, pid: pid)
                            exit = report.exit
                            podBell.ring()
                        }
                        guard !Task.isCancelled else { return }
                        if case .failed(let reason)? = exit {
                            logger.warning("pod supervisor failed", metadata: ["pod": "\(key.namespace)/\(key.name)", "error": "\(reason)"])
                        }
                        pods.remove(key, pid: pid, exit: exit, now: now)
                        podBell.ring()
                    }
                }
                let commands = podStatusCommands()
                guard !commands.isEmpty else { continue }
                let outcome: SubmitOutcome = await submit(commands)
                if case .unavailable(let reason) = outcome {
                    logger.debug("pod status report not committed", metadata: ["reason": "\(reason)"])
                }
            }
        }
    }

    /// Stops and starts supervisors; returns the ones it started.
    private func podPass() -> [(ObjectKey, SupervisorProcess)] {
        let (state, applied) = store.cluster
        let now = self.now
        let monotonicNow = MonotonicDeadline.now()
        let lease = self.lease
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
        }
        return plan.start.compactMap { pod in
            let key = ObjectKey(namespace: pod.metadata.namespace ?? "default", name: pod.metadata.name)
            guard pods.mayLaunch(key, now: now) else { return nil }
            guard !launchPlan.earlierSupervisorRuns(key, except: pods.pids) else {
                logger.info("pod waits for the supervisor of an earlier agent run to exit", metadata: ["pod": "\(key.namespace)/\(key.name)"])
                return nil
            }
            do {
                let launch = try launchPlan.launch(pod, state: state, lease: monotonicDeadline)
                let process = try SupervisorProcess.launch(launch, executable: launchPlan.executable)
                pods.add(key, .init(held: .init(uid: launch.uid, epoch: launch.fencingEpoch), process: process, lease: monotonicDeadline))
                launchPlan.recordSupervisor(key, pid: process.pid)
                logger.info("pod started", metadata: ["pod": "\(key.namespace)/\(key.name)", "pod.epoch": "\(launch.fencingEpoch)", "supervisor.pid": "\(process.pid)"])
                return (key, process)
            } catch {
                logger.warning("pod cannot start", metadata: ["pod": "\(key.namespace)/\(key.name)", "error": "\(error)"])
                return nil
            }
        }
    }

    /// Status for every pod whose supervisor reported something new, and the final removal
    /// of every terminating pod assigned here that runs nothing here any more.
    private func podStatusCommands() -> [ClusterCommand] {
        let state = store.cluster.state
        let me = settings.name.name
        let now = wallClock
        var commands: [ClusterCommand] = []
        for (key, observed) in pods.reports.sorted(by: { $0.key < $1.key }) {
            guard var pod = state.pods[key], pod.metadata.uid == observed.held.uid, pod.nodeName == me, !pod.isTerminating else { continue }
            let status = Pod.Status.observed(containers: observed.report.containers, restartPolicy: pod.spec.restartPolicy, previous: pod.status, now: now)
            guard status != pod.status else { continue }
            commands += PodEvents.observed(pod, previous: pod.status, next: status, node: me, now: now).map { .create(.event($0)) }
            pod.status = status
            pod.metadata.resourceVersion = nil
            commands.append(.updateStatus(.pod(pod)))
        }
        let held = pods.held
        for (key, pod) in state.pods.sorted(by: { $0.key < $1.key }) where pod.nodeName == me && pod.isTerminating && held[key] == nil {
            commands.append(.finalize(.pod, key, uid: pod.metadata.uid ?? ""))
        }
        return commands + pods.takeEvents().map { .create(.event($0)) }
    }
}
