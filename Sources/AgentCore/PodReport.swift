import Basics
package import ClusterState

/// What an agent reports about the pods assigned to it, as one entry: the status of every
/// pod whose containers it observed something new about (with the kubelet's events for
/// the change), and the final removal of every terminating pod that runs nothing here any
/// more. A pure function, so the simulation's runtime reports exactly what the agent's does.
package enum PodReport {
    /// What this agent's runtime last observed of one pod it runs.
    package struct Observed: Sendable, Hashable {
        package var held: PodDuty.Held
        package var containers: [Pod.ContainerStatus]
        /// The address the runtime gave the pod (a container sandbox's, from CNI); nil when the
        /// runtime binds the address the scheduler chose.
        package var podIP: String?

        package init(held: PodDuty.Held, containers: [Pod.ContainerStatus], podIP: String? = nil) {
            self.held = held
            self.containers = containers
            self.podIP = podIP
        }
    }

    /// - Parameters:
    ///   - observed: the latest observation of each pod with a report.
    ///   - held: every pod whose processes still run here (stopping ones included).
    ///   - events: events recorded since the last report (pods stopped), sent with it.
    package static func commands(
        state: ClusterState, node: String, observed: [ObjectKey: Observed], held: [ObjectKey: PodDuty.Held], events: [Event], now: Timestamp
    ) -> [ClusterCommand] {
        var commands: [ClusterCommand] = []
        for (key, observation) in observed.sorted(by: { $0.key < $1.key }) {
            guard var pod = state.pods[key], pod.metadata.uid == observation.held.uid, pod.nodeName == node, !pod.isTerminating else { continue }
            var status = Pod.Status.observed(containers: observation.containers, restartPolicy: pod.spec.restartPolicy, previous: pod.status, now: now)
            if let podIP = observation.podIP, !podIP.isEmpty { status.podIP = podIP }
            guard status != pod.status else { continue }
            commands += PodEvents.observed(pod, previous: pod.status, next: status, node: node, now: now).map { .create(.event($0)) }
            pod.status = status
            pod.metadata.resourceVersion = nil
            commands.append(.updateStatus(.pod(pod)))
        }
        for (key, pod) in state.pods.sorted(by: { $0.key < $1.key }) where pod.nodeName == node && pod.isTerminating && held[key] == nil {
            commands.append(.finalize(.pod, key, uid: pod.metadata.uid ?? ""))
        }
        return commands + events.map { .create(.event($0)) }
    }
}
