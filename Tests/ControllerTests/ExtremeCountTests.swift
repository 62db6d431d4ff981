import ClusterState
@testable import Controller
import Testing

/// The largest counts the API accepts (int32) give passes that are quick and small: a
/// pass creates at most ``SetSync/maxCreationsPerPass`` pods per set and looks only at the
/// pods that exist, however large `replicas` and `ordinals.start` are.
@Suite struct ExtremeCountTests {
    @Test func aParallelSetOfInt32MaxReplicasCreatesOneBatchPerPass() {
        var world = World()
        world.create(webSet(replicas: Int(Int32.max), parallel: true, claims: false, maxUnavailable: .string("100%"), start: Int(Int32.max)))
        let first = world.reconcile()
        let created = first.filter { if case .create(.pod) = $0 { true } else { false } }
        #expect(created.count == SetSync.maxCreationsPerPass)
        let second = world.reconcile()
        #expect(second.count { if case .create(.pod) = $0 { true } else { false } } == SetSync.maxCreationsPerPass)
        #expect(world.state.pods.keys.contains { $0.name == "web-\(Int(Int32.max) + 150)" })
    }

    @Test func anOrderedSetAtTheHighestStartCreatesItsFirstPod() {
        var world = World()
        world.create(webSet(replicas: Int(Int32.max), claims: false, start: Int(Int32.max)))
        world.reconcile()
        #expect(world.state.pods.keys.map(\.name) == ["web-\(Int32.max)"])
    }
}
