import AgentCore
import ClusterState
import Testing

/// The kubelet-style events an agent derives from what its supervisors observed.
@Suite struct PodEventsTests {
    static let now = Timestamp(seconds: 1_800_000_000)

    static func pod() -> Pod {
        var metadata = ObjectMeta(name: "web-0", namespace: "default")
        metadata.uid = "u-1"
        return Pod(metadata: metadata, spec: PodSpec(containers: [Container(name: "nginx"), Container(name: "sidecar")]))
    }

    static func status(_ states: [Pod.ContainerState?]) -> Pod.Status {
        var status = Pod.Status(phase: Pod.Phase.running)
        status.containerStatuses = zip(["nginx", "sidecar"], states).map { name, state in
            var container = Pod.ContainerStatus(name: name, ready: false, restartCount: 0)
            container.state = state
            return container
        }
        return status
    }

    static let running = Pod.ContainerState(running: .init(startedAt: now))
    static let restarted = Pod.ContainerState(running: .init(startedAt: now + 9))
    static let backOff = Pod.ContainerState(waiting: .init(reason: "CrashLoopBackOff", message: "back-off 2s"))
    static let notFound = Pod.ContainerState(waiting: .init(reason: "ExecutableNotFound", message: "no executable \"nginx\" on PATH of agent a2"))

    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var before: [Pod.ContainerState?]?
        var after: [Pod.ContainerState?]
        var recorded: [String]
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(name: "first start of both", before: nil, after: [running, running],
            recorded: ["Created: Created container nginx", "Started: Started container nginx", "Created: Created container sidecar", "Started: Started container sidecar"]),
        Row(name: "nothing new", before: [running, running], after: [running, running], recorded: []),
        Row(name: "a restart", before: [running, running], after: [restarted, running], recorded: ["Created: Created container nginx", "Started: Started container nginx"]),
        Row(name: "crash loop", before: [running, running], after: [backOff, running],
            recorded: ["BackOff: Back-off restarting failed container nginx in pod web-0_default(u-1)"]),
        Row(name: "cannot start", before: nil, after: [notFound, running],
            recorded: ["Failed: no executable \"nginx\" on PATH of agent a2", "Created: Created container sidecar", "Started: Started container sidecar"]),
        Row(name: "still cannot start", before: [notFound, running], after: [notFound, running], recorded: []),
    ]

    @Test(arguments: rows)
    func recorded(row: Row) {
        let events = PodEvents.observed(Self.pod(), previous: row.before.map(Self.status), next: Self.status(row.after), node: "a2", now: Self.now)
        #expect(events.map { "\($0.reason): \($0.message)" } == row.recorded)
        #expect(events.allSatisfy { $0.source == ["component": "kubelet", "host": "a2"] && $0.involvedObject.uid == "u-1" })
        #expect(Set(events.map(\.metadata.name)).count == events.count)
    }

    @Test func stoppingRecordsKillingForEachContainer() {
        let events = PodEvents.stopping(Self.pod(), node: "a2", now: Self.now)
        #expect(events.map(\.message) == ["Stopping container nginx", "Stopping container sidecar"])
        #expect(events.allSatisfy { $0.reason == "Killing" })
    }
}
