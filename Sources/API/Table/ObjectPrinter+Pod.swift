package import ClusterState

extension ObjectPrinter {
    /// kubectl's STATUS of a pod, as Kubernetes' `printPod` derives it: the phase (or
    /// `status.reason`, e.g. `NodeLost`), overridden by `SchedulingGated`, then by the first
    /// container's waiting or terminated reason (`ContainerCreating`, `CrashLoopBackOff`,
    /// `Error`, `ExitCode:1`), and `Terminating` once deleted (`Unknown` on a lost node).
    package static func podStatus(_ pod: Pod) -> String {
        podSummary(pod).status
    }

    /// Status, ready containers, restarts and the last restart, read as Kubernetes does.
    static func podSummary(_ pod: Pod) -> (status: String, ready: Int, restarts: Int, lastRestart: Timestamp?) {
        var reason = pod.status?.reason.flatMap { $0.isEmpty ? nil : $0 } ?? pod.phase ?? Pod.Phase.pending
        if pod.status?.conditions?.contains(where: { $0.type == "PodScheduled" && $0.reason == "SchedulingGated" }) == true {
            reason = "SchedulingGated"
        }
        var ready = 0
        var restarts = 0
        var lastRestart: Timestamp?
        var hasRunning = false
        // Last to first, so the first container's reason wins.
        for container in (pod.status?.containerStatuses ?? []).reversed() {
            restarts += container.restartCount
            if let finished = container.lastState?.terminated?.finishedAt, lastRestart.map({ $0 < finished }) ?? true {
                lastRestart = finished
            }
            if let waiting = container.state?.waiting?.reason, !waiting.isEmpty {
                reason = waiting
            } else if let terminated = container.state?.terminated {
                reason = terminated.reason.flatMap { $0.isEmpty ? nil : $0 } ?? "ExitCode:\(terminated.exitCode ?? 0)"
            } else if container.ready, container.state?.running != nil {
                hasRunning = true
                ready += 1
            }
        }
        if reason == "Completed", hasRunning {
            reason = pod.isReady ? "Running" : "NotReady"
        }
        if pod.isTerminating, pod.status?.reason == "NodeLost" {
            reason = "Unknown"
        } else if pod.isTerminating, pod.phase != Pod.Phase.succeeded, pod.phase != Pod.Phase.failed {
            reason = "Terminating"
        }
        return (reason, ready, restarts, lastRestart)
    }

    static func podCells(_ pod: Pod, name: TableCell, age: TableCell, now: Timestamp) -> [TableCell] {
        let summary = podSummary(pod)
        var restarts = String(summary.restarts)
        if summary.restarts != 0, let last = summary.lastRestart {
            restarts += " (" + HumanDuration.since(last, now: now) + " ago)"
        }
        let ip = pod.status?.podIP.flatMap { $0.isEmpty ? nil : $0 } ?? "<none>"
        let node = pod.spec.nodeName.flatMap { $0.isEmpty ? nil : $0 } ?? "<none>"
        return [name, .string("\(summary.ready)/\(pod.spec.containers.count)"), .string(summary.status), .string(restarts), age,
                .string(ip), .string(node), "<none>", "<none>"]
    }
}
