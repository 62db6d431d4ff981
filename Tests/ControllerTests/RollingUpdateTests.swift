import ClusterState
@testable import Controller
import Testing

@Suite struct RollingUpdateTests {
    private func revision(_ world: World, _ name: String) -> String? {
        world.pods[name]?.metadata.labels?[Pod.Keys.revisionHash]
    }

    @Test func rollingUpdateReplacesPodsInReverseOrdinalOrder() {
        var world = World()
        world.create(webSet(replicas: 3))
        world.settle()
        let old = world.set("web").status?.currentRevision
        world.change("web") { $0.spec.template.spec.containers[0].image = "nginx:2" }
        world.settle()
        #expect(world.deleted == ["web-2", "web-1", "web-0"])
        let status = world.set("web").status
        #expect(status?.updateRevision != old)
        #expect(status?.currentRevision == status?.updateRevision)
        #expect(status?.updatedReplicas == 3 && status?.currentReplicas == 3 && status?.readyReplicas == 3)
        #expect(["web-0", "web-1", "web-2"].allSatisfy { revision(world, $0) == status?.updateRevision })
    }

    @Test func theUpdateWaitsForEachReplacementToBeReady() {
        var world = World()
        world.create(webSet(replicas: 3))
        world.settle()
        world.isReady = { _ in false }
        world.change("web") { $0.spec.template.spec.containers[0].image = "nginx:2" }
        world.settle()
        #expect(world.deleted == ["web-2"])
        #expect(world.pods["web-1"]?.isRunningAndReady == true)
    }

    @Test func partitionKeepsLowerOrdinalsOnTheCurrentRevision() {
        var world = World()
        world.create(webSet(replicas: 4, partition: 2))
        world.settle()
        let old = world.set("web").status?.currentRevision
        world.change("web") { $0.spec.template.spec.containers[0].image = "nginx:2" }
        world.settle()
        let status = world.set("web").status
        #expect(world.deleted == ["web-3", "web-2"])
        #expect(revision(world, "web-0") == old && revision(world, "web-1") == old)
        #expect(revision(world, "web-2") == status?.updateRevision)
        #expect(status?.currentRevision == old, "a partitioned rollout never completes")
        #expect(status?.updatedReplicas == 2 && status?.currentReplicas == 2)
        // A deleted pod below the partition comes back at the current revision.
        world.submit([.delete(.pod, ObjectKey(namespace: "default", name: "web-0"), uid: nil)])
        world.settle()
        #expect(revision(world, "web-0") == old)
    }

    @Test func maxUnavailableDeletesSeveralOutdatedPodsAtOnce() {
        var world = World()
        world.create(webSet(replicas: 5, parallel: true, maxUnavailable: .int(2)))
        world.settle()
        world.change("web") { $0.spec.template.spec.containers[0].image = "nginx:2" }
        world.reconcile()
        #expect(world.deleted == ["web-4", "web-3"])
        world.settle()
        #expect(world.set("web").status?.updatedReplicas == 5)
    }

    @Test(arguments: [("40%", 2), ("10%", 1), ("100%", 5)])
    func maxUnavailablePercentRoundsDownWithAFloorOfOne(percent: String, deletions: Int) {
        var world = World()
        world.create(webSet(replicas: 5, parallel: true, maxUnavailable: .string(percent)))
        world.settle()
        world.change("web") { $0.spec.template.spec.containers[0].image = "nginx:2" }
        world.reconcile()
        #expect(world.deleted.count == deletions)
    }

    @Test func onDeleteReplacesOnlyPodsTheUserDeletes() {
        var world = World()
        world.create(webSet(replicas: 3, onDelete: true))
        world.settle()
        let old = world.set("web").status?.currentRevision
        world.change("web") { $0.spec.template.spec.containers[0].image = "nginx:2" }
        world.settle()
        #expect(world.deleted.isEmpty)
        world.submit([.delete(.pod, ObjectKey(namespace: "default", name: "web-1"), uid: nil)])
        world.settle()
        let update = world.set("web").status?.updateRevision
        #expect(revision(world, "web-1") == update)
        #expect(revision(world, "web-0") == old)
        #expect(world.set("web").status?.currentRevision == old)
    }

    /// kubernetes/kubernetes#67250: in Kubernetes the revert leaves web-2 stuck on the broken
    /// revision until someone deletes it; Ordinal replaces it.
    @Test func revertingABrokenTemplateRepairsTheStuckPod() {
        var world = World()
        world.create(webSet(replicas: 3))
        world.settle()
        let good = world.set("web").status?.currentRevision
        world.isReady = { $0.spec.containers[0].image != "nginx:broken" }
        world.change("web") { $0.spec.template.spec.containers[0].image = "nginx:broken" }
        world.settle()
        #expect(world.pods["web-2"]?.isReady == false)
        #expect(world.deleted == ["web-2"])
        world.change("web") { $0.spec.template.spec.containers[0].image = "nginx" }
        world.settle()
        #expect(world.deleted == ["web-2", "web-2"])
        #expect(world.pods.values.allSatisfy { $0.isRunningAndReady })
        #expect(world.set("web").status?.updateRevision == good, "the reverted template reuses its old revision")
        #expect(world.set("web").status?.currentRevision == good)
    }

    @Test func revisionHistoryIsTruncatedToTheLimit() {
        var world = World()
        world.create(webSet(replicas: 1, historyLimit: 2))
        world.settle()
        for version in 2 ... 6 {
            world.change("web") { $0.spec.template.spec.containers[0].image = "nginx:\(version)" }
            world.settle()
        }
        let owned = world.state.revisions.values.filter { $0.metadata.ownerReferences?.first?.name == "web" }
        #expect(owned.count == 3, "the live revision and two of history")
        #expect(owned.map(\.revision).sorted() == [4, 5, 6])
    }
}
