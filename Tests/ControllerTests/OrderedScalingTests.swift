import ClusterState
@testable import Controller
import Testing

@Suite struct OrderedScalingTests {
    @Test func orderedReadyCreatesOnePodAtATimeWaitingForReadiness() {
        var world = World()
        world.isReady = { _ in false }
        world.create(webSet(replicas: 3))
        world.settle()
        #expect(world.podNames == ["web-0"], "web-1 must wait for web-0 to be Running and Ready")
        world.setReady("web-0", true)
        world.settle()
        #expect(world.podNames == ["web-0", "web-1"])
        world.setReady("web-1", true)
        world.settle()
        #expect(world.podNames == ["web-0", "web-1", "web-2"])
        #expect(world.created == ["web-0", "web-1", "web-2"])
    }

    @Test func aLowerPodFailingReadinessStopsCreation() {
        var world = World()
        world.create(webSet(replicas: 2))
        world.settle()
        world.setReady("web-0", false)
        world.change("web") { $0.spec.replicas = 4 }
        world.settle()
        #expect(world.podNames == ["web-0", "web-1"])
        world.setReady("web-0", true)
        world.settle()
        #expect(world.podNames == ["web-0", "web-1", "web-2", "web-3"])
    }

    @Test func parallelCreatesEveryPodAtOnce() {
        var world = World()
        world.isReady = { _ in false }
        world.create(webSet(replicas: 4, parallel: true))
        world.reconcile()
        #expect(world.created == ["web-0", "web-1", "web-2", "web-3"])
    }

    @Test func scaleDownRemovesTheHighestOrdinalFirstOneAtATime() {
        var world = World()
        world.create(webSet(replicas: 4))
        world.settle()
        world.change("web") { $0.spec.replicas = 1 }
        world.reconcile()
        #expect(world.deleted == ["web-3"])
        world.reconcile()
        #expect(world.deleted == ["web-3"], "web-2 waits until web-3 is gone")
        world.settle()
        #expect(world.deleted == ["web-3", "web-2", "web-1"])
        #expect(world.podNames == ["web-0"])
    }

    @Test func scaleDownWaitsWhileALowerPodIsUnhealthy() {
        var world = World()
        world.create(webSet(replicas: 3))
        world.settle()
        world.setReady("web-0", false)
        world.change("web") { $0.spec.replicas = 1 }
        world.settle()
        #expect(world.podNames == ["web-0", "web-1", "web-2"])
        world.setReady("web-0", true)
        world.settle()
        #expect(world.podNames == ["web-0"])
    }

    @Test func parallelScaleDownDeletesAllCondemnedAtOnce() {
        var world = World()
        world.create(webSet(replicas: 4, parallel: true))
        world.settle()
        world.change("web") { $0.spec.replicas = 1 }
        world.reconcile()
        #expect(world.deleted.sorted() == ["web-1", "web-2", "web-3"])
    }

    @Test func ordinalsStartShiftsTheIdentities() {
        var world = World()
        world.create(webSet(replicas: 3, start: 5))
        world.settle()
        #expect(world.podNames == ["web-5", "web-6", "web-7"])
        #expect(world.pods["web-6"]?.metadata.labels?[Pod.Keys.podIndex] == "6")
        world.change("web") { $0.spec.ordinals = .init(start: 6) }
        world.settle()
        #expect(world.podNames == ["web-6", "web-7", "web-8"])
    }

    @Test func minReadySecondsHoldsTheNextOrdinalUntilAvailable() {
        var world = World()
        world.create(webSet(replicas: 2, minReadySeconds: 10))
        world.settle()
        #expect(world.podNames == ["web-0"])
        world.now = world.now + 10
        world.settle()
        #expect(world.podNames == ["web-0", "web-1"])
        world.now = world.now + 10
        world.settle()
        #expect(world.set("web").status?.availableReplicas == 2)
    }

    @Test func aFailedPodIsRecreatedWithTheSameIdentityAndClaim() {
        var world = World()
        world.create(webSet(replicas: 2))
        world.settle()
        let before = world.pods["web-1"]!
        let claim = world.state.claims[ObjectKey(namespace: "default", name: "data-web-1")]!
        world.setPhase("web-1", Pod.Phase.failed)
        world.settle()
        let after = world.pods["web-1"]!
        #expect(after.metadata.uid != before.metadata.uid)
        #expect(after.spec.volumes?.first?.persistentVolumeClaim?.claimName == "data-web-1")
        #expect(after.spec.nodeName == before.spec.nodeName, "the claim's local volume pins the pod to its node")
        #expect(world.state.claims[ObjectKey(namespace: "default", name: "data-web-1")]?.metadata.uid == claim.metadata.uid)
        #expect(after.fencingEpoch > before.fencingEpoch)
    }

    @Test func deletingTheSetRemovesPodsHighestFirstThenTheSet() {
        var world = World()
        world.create(webSet(replicas: 3))
        world.settle()
        world.submit([.delete(.statefulSet, ObjectKey(namespace: "default", name: "web"), uid: nil)])
        world.settle()
        #expect(world.deleted == ["web-2", "web-1", "web-0"])
        #expect(world.state.statefulSets.isEmpty)
        #expect(world.state.pods.isEmpty)
        #expect(world.state.revisions.isEmpty)
        #expect(world.claimNames == ["data-web-0", "data-web-1", "data-web-2"], "Retain keeps claims by default")
    }
}
