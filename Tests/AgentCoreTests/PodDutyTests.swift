import Basics
import ClusterState
import Testing
@testable import AgentCore

/// The agent-side fencing rule, row by row.
@Suite struct PodDutyTests {
    static let key = ObjectKey(namespace: "default", name: "web-0")

    static func state(node: String? = "a1", uid: String = "u1", epoch: UInt64 = 5, terminating: Bool = false, phase: String = Pod.Phase.running) -> ClusterState {
        var metadata = ObjectMeta(name: "web-0", namespace: "default")
        metadata.uid = uid
        metadata.annotations = [Pod.Keys.fencingEpoch: String(epoch)]
        if terminating { metadata.deletionTimestamp = Timestamp(seconds: 1) }
        var spec = PodSpec(containers: [Container(name: "c", image: "ordinal/pause")])
        spec.nodeName = node
        var state = ClusterState()
        state.pods[key] = Pod(metadata: metadata, spec: spec, status: Pod.Status(phase: phase))
        return state
    }

    /// A lease granted at time 0 for 4 s with read index 10.
    static func lease() -> LeaseHolder {
        var lease = LeaseHolder(duration: .seconds(4))
        let sequence = lease.request(now: .zero)!
        _ = lease.granted(sequence: sequence, readIndex: 10)
        return lease
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var state: ClusterState
        var held: PodDuty.Held?
        var applied: UInt64 = 10
        var at: Duration = .seconds(1)
        var starts: Bool
        var stops: Bool
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(name: "assigned here, lease valid, caught up: start", state: state(), starts: true, stops: false),
        Row(name: "not caught up with the grant's read index: wait", state: state(), applied: 9, starts: false, stops: false),
        Row(name: "lease ran out: never start", state: state(), at: .seconds(4), starts: false, stops: false),
        Row(name: "assigned elsewhere: nothing", state: state(node: "a2"), starts: false, stops: false),
        Row(name: "not placed yet: nothing", state: state(node: nil), starts: false, stops: false),
        Row(name: "terminating: nothing to start", state: state(terminating: true), starts: false, stops: false),
        Row(name: "completed: not restarted", state: state(phase: Pod.Phase.succeeded), starts: false, stops: false),
        Row(name: "held and still ours: keep", state: state(), held: .init(uid: "u1", epoch: 5), starts: false, stops: false),
        Row(name: "held, moved to another node: stop", state: state(node: "a2"), held: .init(uid: "u1", epoch: 5), starts: false, stops: true),
        Row(name: "held, recreated with a new uid: stop", state: state(uid: "u2", epoch: 9), held: .init(uid: "u1", epoch: 5), starts: false, stops: true),
        Row(name: "held, new epoch: stop", state: state(epoch: 9), held: .init(uid: "u1", epoch: 5), starts: false, stops: true),
        Row(name: "held, terminating: stop", state: state(terminating: true), held: .init(uid: "u1", epoch: 5), starts: false, stops: true),
        Row(name: "held, deleted: stop", state: ClusterState(), held: .init(uid: "u1", epoch: 5), starts: false, stops: true),
        Row(name: "held, lease ran out: the supervisor kills it, the plan keeps it", state: state(), held: .init(uid: "u1", epoch: 5), at: .seconds(5), starts: false, stops: false),
    ]

    @Test(arguments: rows)
    func decide(row: Row) {
        let held = row.held.map { [Self.key: $0] } ?? [:]
        let plan = PodDuty.plan(state: row.state, node: "a1", held: held, lease: Self.lease(), applied: row.applied, now: .zero + row.at)
        #expect(plan.start.map(\.metadata.name) == (row.starts ? ["web-0"] : []))
        #expect(plan.stop == (row.stops ? [Self.key] : []))
    }

    @Test func withoutAGrantNothingStarts() {
        let plan = PodDuty.plan(state: Self.state(), node: "a1", held: [:], lease: LeaseHolder(duration: .seconds(4)), applied: 100, now: .zero)
        #expect(plan.start.isEmpty)
    }
}
