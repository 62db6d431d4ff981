/// v1 Pod: one ordinal identity of a StatefulSet, placed on a node. The hosting agent
/// reports `status`; the controller reads it to decide what comes next.
package struct Pod: Codable, Sendable, Hashable {
    package var apiVersion: String?
    package var kind: String?
    package var metadata: ObjectMeta
    package var spec: PodSpec
    package var status: Status?

    package init(metadata: ObjectMeta, spec: PodSpec, status: Status? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    package struct Status: Codable, Sendable, Hashable {
        /// `Pending`, `Running`, `Succeeded`, `Failed`, `Unknown`.
        package var phase: String?
        package var conditions: [Condition]?
        package var podIP: String?
        package var hostIP: String?
        package var startTime: Timestamp?
        package var reason: String?
        package var message: String?
        package var containerStatuses: [ContainerStatus]?

        package init(phase: String?) {
            self.phase = phase
        }
    }

    package struct Condition: Codable, Sendable, Hashable {
        package var type: String
        package var status: String
        package var lastTransitionTime: Timestamp?
        package var reason: String?
        package var message: String?

        package init(type: String, status: String, lastTransitionTime: Timestamp? = nil) {
            self.type = type
            self.status = status
            self.lastTransitionTime = lastTransitionTime
        }
    }

    package struct ContainerStatus: Codable, Sendable, Hashable {
        package var name: String
        package var ready: Bool
        package var restartCount: Int
        package var image: String?
        /// The image the runtime ran, by digest; "" while none is known (the process runtime
        /// runs no image), as the kubelet reports a container still waiting for its image.
        package var imageID: String?
        /// `<runtime>://<id>` of the container the runtime runs; absent on the process runtime.
        package var containerID: String?
        package var started: Bool?
        package var state: ContainerState?
        package var lastState: ContainerState?

        package init(name: String, ready: Bool, restartCount: Int) {
            self.name = name
            self.ready = ready
            self.restartCount = restartCount
        }
    }

    package struct ContainerState: Codable, Sendable, Hashable {
        package var waiting: Detail?
        package var running: Detail?
        package var terminated: Detail?

        package init(waiting: Detail? = nil, running: Detail? = nil, terminated: Detail? = nil) {
            self.waiting = waiting
            self.running = running
            self.terminated = terminated
        }

        package struct Detail: Codable, Sendable, Hashable {
            package var reason: String?
            package var message: String?
            package var exitCode: Int?
            package var startedAt: Timestamp?
            package var finishedAt: Timestamp?

            package init(reason: String? = nil, message: String? = nil, exitCode: Int? = nil, startedAt: Timestamp? = nil) {
                self.reason = reason
                self.message = message
                self.exitCode = exitCode
                self.startedAt = startedAt
            }
        }
    }
}

extension Pod {
    package enum Phase {
        package static let pending = "Pending"
        package static let running = "Running"
        package static let succeeded = "Succeeded"
        package static let failed = "Failed"
    }

    /// The label and annotation keys the controller and runtime set.
    package enum Keys {
        package static let revisionHash = "controller-revision-hash"
        package static let podName = "statefulset.kubernetes.io/pod-name"
        package static let podIndex = "apps.kubernetes.io/pod-index"
        /// The Raft index of the assignment to the current node; the runtime refuses to run
        /// a pod whose epoch is older than the one it last saw for that identity.
        package static let fencingEpoch = "ordinal.dev/fencing-epoch"
    }

    package var phase: String? { status?.phase }
    package var isTerminating: Bool { metadata.isTerminating }
    package var nodeName: String? { spec.nodeName }

    /// The Ready condition's status is `True`.
    package var isReady: Bool {
        status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } ?? false
    }

    /// Since when the pod has been Ready, if it is.
    package var readySince: Timestamp? {
        status?.conditions?.first { $0.type == "Ready" && $0.status == "True" }?.lastTransitionTime
    }

    package var isRunningAndReady: Bool { phase == Phase.running && isReady }

    /// Ready for at least `minReadySeconds` at `now`.
    package func isAvailable(minReadySeconds: Int, now: Timestamp) -> Bool {
        guard isRunningAndReady else { return false }
        guard minReadySeconds > 0 else { return true }
        guard let since = readySince else { return false }
        return since + Int64(minReadySeconds) <= now
    }

    package var restartCount: Int { status?.containerStatuses?.reduce(0) { $0 + $1.restartCount } ?? 0 }

    package var fencingEpoch: UInt64 {
        metadata.annotations?[Keys.fencingEpoch].flatMap(UInt64.init) ?? 0
    }
}
