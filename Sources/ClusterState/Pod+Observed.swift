extension Pod.Status {
    /// The status a node reports for a pod whose containers it observed, derived as
    /// Kubernetes' kubelet derives it (`getPhase`, the Ready and ContainersReady
    /// conditions): a container waiting for its first start keeps the pod Pending; one
    /// restarting after an exit counts as stopped, so a crash-looping pod under
    /// `restartPolicy: Always` stays Running; the pod is Ready when every container is.
    /// Condition transition times move only when a condition's status changes, so reporting
    /// the same observation twice yields the same status.
    ///
    /// - Parameters:
    ///   - previous: the replicated status (its address, start time and conditions).
    ///   - restartPolicy: `Always` (default), `OnFailure` or `Never`.
    package static func observed(
        containers: [Pod.ContainerStatus], restartPolicy: String?, previous: Pod.Status?, now: Timestamp
    ) -> Pod.Status {
        var status = previous ?? Pod.Status(phase: nil)
        let phase = phase(of: containers, restartPolicy: restartPolicy ?? "Always")
        status.phase = phase
        status.reason = nil
        status.message = nil
        status.containerStatuses = containers
        if status.startTime == nil, containers.contains(where: { $0.state?.running != nil || $0.state?.terminated != nil || $0.lastState != nil }) {
            status.startTime = now
        }
        let ready = !containers.isEmpty && containers.allSatisfy(\.ready) && phase == Pod.Phase.running
        status.set("Initialized", true, now: now)
        status.set("ContainersReady", ready, now: now)
        status.set("Ready", ready, now: now)
        return status
    }

    private static func phase(of containers: [Pod.ContainerStatus], restartPolicy: String) -> String {
        var (waiting, running, stopped, succeeded) = (0, 0, 0, 0)
        for container in containers {
            if container.state?.running != nil {
                running += 1
            } else if let terminated = container.state?.terminated {
                stopped += 1
                if terminated.exitCode == 0 { succeeded += 1 }
            } else if container.lastState?.terminated != nil {
                stopped += 1
            } else {
                waiting += 1
            }
        }
        if waiting > 0 || containers.isEmpty { return Pod.Phase.pending }
        if running > 0 { return Pod.Phase.running }
        if restartPolicy == "Always" { return Pod.Phase.running }
        if stopped == succeeded { return Pod.Phase.succeeded }
        return restartPolicy == "Never" ? Pod.Phase.failed : Pod.Phase.running
    }

    private mutating func set(_ type: String, _ value: Bool, now: Timestamp) {
        let text = value ? "True" : "False"
        var all = conditions ?? []
        if let index = all.firstIndex(where: { $0.type == type }) {
            guard all[index].status != text || all[index].reason != nil else { return }
            all[index] = Pod.Condition(type: type, status: text, lastTransitionTime: all[index].status == text ? all[index].lastTransitionTime : now)
        } else {
            all.append(Pod.Condition(type: type, status: text, lastTransitionTime: now))
        }
        conditions = all
    }
}
