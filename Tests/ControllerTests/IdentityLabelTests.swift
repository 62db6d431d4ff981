import ClusterState
@testable import Controller
import Testing

/// Kubernetes' `updateIdentity`: a pod whose identity labels were removed or changed gets
/// them back in place (the same pod, not a replacement).
@Suite struct IdentityLabelTests {
    @Test(arguments: [
        (Pod.Keys.podName, nil as String?),
        (Pod.Keys.podName, "web-7"),
        (Pod.Keys.podIndex, nil),
        (Pod.Keys.podIndex, "12"),
    ])
    func aRemovedOrChangedIdentityLabelIsRestoredInPlace(label: String, value: String?) throws {
        var world = World()
        world.create(webSet(replicas: 2))
        world.settle()
        var pod = try #require(world.pods["web-1"])
        let uid = pod.metadata.uid
        pod.metadata.labels?[label] = value
        pod.metadata.resourceVersion = nil
        #expect(world.submit([.update(.pod(pod))]).allSatisfy { if case .applied = $0 { true } else { false } })
        #expect(world.pods["web-1"]?.metadata.labels?[label] == value)
        world.settle()
        let after = try #require(world.pods["web-1"])
        #expect(after.metadata.uid == uid, "the pod is updated, not deleted and created again")
        #expect(after.metadata.labels?[Pod.Keys.podName] == "web-1")
        #expect(after.metadata.labels?[Pod.Keys.podIndex] == "1")
        #expect(after.metadata.labels?["app"] == "web", "the other labels stay")
        #expect(!world.deleted.contains("web-1"))
    }

    @Test func podsWithTheirLabelsAreLeftAlone() {
        var world = World()
        world.create(webSet(replicas: 3))
        world.settle()
        #expect(world.reconcile().allSatisfy { command in
            if case .update(.pod) = command { false } else { true }
        })
    }
}
