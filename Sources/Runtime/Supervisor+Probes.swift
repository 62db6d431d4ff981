import ClusterState

/// Readiness and liveness probes, on Kubernetes' timing.
extension Supervisor {
    /// Starts due probes and counts finished or timed-out ones.
    func runProbes(now: MonotonicDeadline) {
        for check in probes where check.success == nil && check.deadline <= now { check.cancel() }
        let finished = probes.filter { $0.success != nil }
        probes.removeAll { $0.success != nil }
        for check in finished { record(check, now: now) }
        guard !stopping else { return }
        for (index, slot) in slots.enumerated() where slot.process?.killDeadline == nil && slot.process != nil {
            if var schedule = slot.readiness, !schedule.inFlight, schedule.nextDue <= now {
                schedule.inFlight = true
                slot.readiness = schedule
                probes.append(check(schedule.probe, .readiness, slot: slot, index: index, now: now))
            }
            if var schedule = slot.liveness, !schedule.inFlight, schedule.nextDue <= now {
                schedule.inFlight = true
                slot.liveness = schedule
                probes.append(check(schedule.probe, .liveness, slot: slot, index: index, now: now))
            }
        }
    }

    /// Drops a container's probes in flight, e.g. when it exits; their results no longer apply.
    func cancelProbes(of slot: ContainerSlot) {
        guard let index = slots.firstIndex(where: { $0 === slot }) else { return }
        for check in probes where check.container == index { check.cancel() }
        probes.removeAll { $0.container == index }
        slot.readiness?.inFlight = false
        slot.liveness?.inFlight = false
    }

    private func check(_ probe: Probe, _ kind: ProbeCheck.Kind, slot: ContainerSlot, index: Int,
                       now: MonotonicDeadline) -> ProbeCheck {
        ProbeCheck(probe: probe, kind: kind, container: index, spec: slot.spec, environment: slot.environment,
                   workingDirectory: slot.workingDirectory, supervisor: self, now: now)
    }

    private func record(_ check: ProbeCheck, now: MonotonicDeadline) {
        let slot = slots[check.container]
        let success = check.success ?? false
        if !success { probeFailures &+= 1 }
        switch check.kind {
        case .readiness:
            guard var schedule = slot.readiness else { return }
            schedule.inFlight = false
            schedule.nextDue = now.adding(schedule.timing.period)
            schedule.tracker.record(success: success)
            slot.readiness = schedule
            slot.status.ready = slot.process != nil && schedule.tracker.passing
        case .liveness:
            guard var schedule = slot.liveness else { return }
            schedule.inFlight = false
            schedule.nextDue = now.adding(schedule.timing.period)
            schedule.tracker.record(success: success)
            slot.liveness = schedule
            if !schedule.tracker.passing {
                log("container \(slot.spec.name): liveness probe failed \(schedule.timing.failureThreshold) times; restarting it")
                terminate(slot, now: now, grace: launch.gracePeriod, message: "liveness probe failed")
            }
        }
    }
}
