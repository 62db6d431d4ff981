import ClusterState
import Testing

/// The phase and readiness a node derives from its containers, as Kubernetes' kubelet does.
@Suite struct PodObservedStatusTests {
    static let now = Timestamp(seconds: 1_800_000_000)

    static func container(_ state: Pod.ContainerState?, ready: Bool = false, last: Pod.ContainerState? = nil, restarts: Int = 0) -> Pod.ContainerStatus {
        var status = Pod.ContainerStatus(name: "c", ready: ready, restartCount: restarts)
        status.state = state
        status.lastState = last
        return status
    }

    static let running = Pod.ContainerState(running: .init(startedAt: now))
    static let exited0 = Pod.ContainerState(terminated: .init(reason: "Completed", exitCode: 0))
    static let exited1 = Pod.ContainerState(terminated: .init(reason: "Error", exitCode: 1))
    static let notFound = Pod.ContainerState(waiting: .init(reason: "ExecutableNotFound", message: "no executable \"nginx\" on PATH of agent a2"))
    static let backOff = Pod.ContainerState(waiting: .init(reason: "CrashLoopBackOff"))

    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var containers: [Pod.ContainerStatus]
        var policy: String?
        var phase: String
        var ready: Bool
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(name: "running, not yet ready", containers: [container(running)], phase: Pod.Phase.running, ready: false),
        Row(name: "running and ready", containers: [container(running, ready: true)], phase: Pod.Phase.running, ready: true),
        Row(name: "one of two ready", containers: [container(running, ready: true), container(running)], phase: Pod.Phase.running, ready: false),
        Row(name: "never started", containers: [container(notFound)], phase: Pod.Phase.pending, ready: false),
        Row(name: "crash loop under Always", containers: [container(backOff, last: exited1, restarts: 3)], phase: Pod.Phase.running, ready: false),
        Row(name: "exited 0 under Never", containers: [container(exited0)], policy: "Never", phase: Pod.Phase.succeeded, ready: false),
        Row(name: "exited 1 under Never", containers: [container(exited1)], policy: "Never", phase: Pod.Phase.failed, ready: false),
        Row(name: "exited 1 under OnFailure restarts", containers: [container(exited1)], policy: "OnFailure", phase: Pod.Phase.running, ready: false),
        Row(name: "no containers reported", containers: [], phase: Pod.Phase.pending, ready: false),
    ]

    @Test(arguments: rows)
    func phaseAndReadiness(row: Row) {
        let status = Pod.Status.observed(containers: row.containers, restartPolicy: row.policy, previous: nil, now: Self.now)
        #expect(status.phase == row.phase)
        let pod = Pod(metadata: ObjectMeta(name: "p"), spec: PodSpec(containers: []), status: status)
        #expect(pod.isReady == row.ready)
    }

    @Test func transitionTimesMoveOnlyOnChange() {
        var previous = Pod.Status(phase: Pod.Phase.pending)
        previous.podIP = "127.128.1.2"
        previous.reason = "NodeLost"
        let first = Pod.Status.observed(containers: [Self.container(Self.running, ready: true)], restartPolicy: nil, previous: previous, now: Self.now)
        let again = Pod.Status.observed(containers: [Self.container(Self.running, ready: true)], restartPolicy: nil, previous: first, now: Self.now + 30)
        #expect(again == first, "the same observation reports the same status")
        #expect(first.podIP == "127.128.1.2")
        #expect(first.reason == nil)
        let notReady = Pod.Status.observed(containers: [Self.container(Self.running)], restartPolicy: nil, previous: first, now: Self.now + 60)
        #expect(notReady.conditions?.first { $0.type == "Ready" }?.lastTransitionTime == Self.now + 60)
        #expect(notReady.conditions?.first { $0.type == "Initialized" }?.lastTransitionTime == Self.now)
    }
}
