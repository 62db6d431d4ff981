import ClusterState
@testable import Controller
import Testing

/// Pods of a node that gossip reports dead and whose lease ran out (design §5).
@Suite struct NodeLossTests {
    /// The node hosting `pod` goes down: gossip drops it at once, the lease book later.
    private func killNode(of pod: String, in world: inout World, leaseExpired: Bool) -> String {
        let node = world.pods[pod]!.spec.nodeName!
        world.alive.remove(node)
        if leaseExpired { world.lost.insert(node) }
        return node
    }

    @Test func aPodWithoutVolumesMovesToALiveNodeWithItsName() {
        var world = World()
        world.create(webSet(replicas: 3, claims: false))
        world.settle()
        let before = world.pods["web-1"]!
        let dead = killNode(of: "web-1", in: &world, leaseExpired: true)
        world.settle()
        let after = world.pods["web-1"]!
        #expect(after.metadata.uid != before.metadata.uid, "recreated, not revived")
        #expect(after.spec.nodeName != dead && after.spec.nodeName != nil)
        #expect(after.isRunningAndReady)
        #expect(after.fencingEpoch > before.fencingEpoch, "a new assignment carries a new epoch")
        #expect(world.podNames == ["web-0", "web-1", "web-2"])
        #expect(world.set("web").status?.readyReplicas == 3)
    }

    @Test func nothingMovesWhileTheLeaseMayStillRun() {
        var world = World()
        world.create(webSet(replicas: 2, claims: false))
        world.settle()
        let before = world.pods["web-0"]!
        _ = killNode(of: "web-0", in: &world, leaseExpired: false)
        world.settle()
        #expect(world.pods["web-0"] == before, "gossip alone is no proof that the pod is dead")
    }

    @Test func aPodPinnedToALocalVolumeWaitsForItsNode() {
        var world = World()
        world.create(webSet(replicas: 2))
        world.settle()
        let before = world.pods["web-0"]!
        let dead = killNode(of: "web-0", in: &world, leaseExpired: true)
        world.settle()
        let waiting = world.pods["web-0"]!
        #expect(waiting.metadata.uid == before.metadata.uid)
        #expect(waiting.spec.nodeName == dead)
        #expect(waiting.phase == Pod.Phase.pending)
        #expect(waiting.status?.reason == "NodeLost")
        #expect(waiting.status?.message == "node \(dead) is lost; the pod waits for it because its volume is local to that node")
        #expect(!waiting.isReady)
        #expect(world.set("web").status?.readyReplicas == 1)
        // The node returns: its runtime runs the pod again, in place.
        world.lost.remove(dead)
        world.alive.insert(dead)
        world.settle()
        #expect(world.pods["web-0"]?.metadata.uid == before.metadata.uid)
        #expect(world.pods["web-0"]?.isRunningAndReady == true)
    }

    @Test func aTerminatingPodOnALostNodeIsFinalized() {
        var world = World()
        world.create(webSet(replicas: 2, claims: false))
        world.settle()
        let dead = killNode(of: "web-1", in: &world, leaseExpired: false)
        world.change("web") { $0.spec.replicas = 1 }
        world.settle()
        #expect(world.pods["web-1"]?.isTerminating == true, "its node cannot confirm the stop")
        world.lost.insert(dead)
        world.settle()
        #expect(world.podNames == ["web-0"])
    }
}
