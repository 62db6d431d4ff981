import CRI
import ClusterState

/// Readiness and liveness probes of a container pod, on Kubernetes' schedule: readiness starts
/// failing and decides `ready`; liveness starts passing and, once it fails, has the container
/// stopped, which its restart policy then restarts.
extension ContainerSupervisor {
    /// A probe's counters and timer for the current run of a container.
    struct ProbeSchedule {
        let probe: Probe
        let timing: ProbeTiming
        var tracker: ProbeTracker
        var nextDue: MonotonicDeadline
        var inFlight: ContainerProbe?

        init(probe: Probe, initiallyPassing: Bool, startedAt: MonotonicDeadline) {
            self.probe = probe
            timing = ProbeTiming(probe)
            tracker = ProbeTracker(probe: probe, initiallyPassing: initiallyPassing)
            nextDue = startedAt.adding(timing.initialDelay)
        }
    }

    /// Fresh schedules for a run of `slot` that started at `now`.
    func scheduleProbes(_ slot: Slot, now: MonotonicDeadline) {
        slot.readiness = slot.spec.readinessProbe.map { ProbeSchedule(probe: $0, initiallyPassing: false, startedAt: now) }
        slot.liveness = slot.spec.livenessProbe.map { ProbeSchedule(probe: $0, initiallyPassing: true, startedAt: now) }
        slot.status.ready = slot.readiness == nil
    }

    /// Collects finished attempts and starts due ones.
    func runProbes(now: MonotonicDeadline) {
        guard let podIP else { return }
        for slot in slots where slot.running {
            guard let id = slot.containerID else { continue }
            if var readiness = slot.readiness {
                if advance(&readiness, slot: slot, containerID: id, podIP: podIP, now: now) {
                    slot.status.ready = readiness.tracker.passing
                }
                slot.readiness = readiness
            }
            if var liveness = slot.liveness {
                if advance(&liveness, slot: slot, containerID: id, podIP: podIP, now: now), !liveness.tracker.passing {
                    log("container \(slot.spec.name) failed its liveness probe; stopping it")
                    let grace = Int64(launch.gracePeriod.components.seconds)
                    Task { [client] in _ = try? await client.stopContainer(id, grace: grace) }
                    liveness.nextDue = .now().adding(.seconds(Int64(Int32.max)))
                }
                slot.liveness = liveness
            }
        }
    }

    /// Records a finished attempt and starts the next when due.
    /// - Returns: whether the probe's verdict flipped.
    private func advance(_ schedule: inout ProbeSchedule, slot: Slot, containerID: String, podIP: String, now: MonotonicDeadline) -> Bool {
        var flipped = false
        if let attempt = schedule.inFlight, let success = attempt.result {
            schedule.inFlight = nil
            if !success { probeFailures += 1 }
            flipped = schedule.tracker.record(success: success)
        }
        if schedule.inFlight == nil, schedule.nextDue <= now {
            schedule.inFlight = ContainerProbe(schedule.probe, container: slot.spec, containerID: containerID, podIP: podIP, client: client)
            schedule.nextDue = now.adding(schedule.timing.period)
        }
        return flipped
    }
}
