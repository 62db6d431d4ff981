import ClusterState
import Testing

private let podKey = Fixture.key("web-0")
private let setKey = Fixture.key("my-statefulset")

/// The uid `create` gives the first object of the entry at index 2.
private let uid = "00000000-0000-0002-0000-000000000000"

/// The node `node-1` at index 1 and the pod `web-0` at index 2.
private func nodeAndPod(claim: String? = nil) -> ClusterState {
    var state = ClusterState()
    state.run(1, .create(.node(Fixture.node())))
    state.run(2, .create(.pod(Fixture.pod(claim: claim))))
    return state
}

@Suite struct ApplyDeleteTests {
    @Test func create_givesThePodTheExpectedUID() {
        #expect(nodeAndPod().pods[podKey]?.metadata.uid == uid)
    }

    @Test func delete_ofUnplacedPod_removesItAtOnce() {
        var state = nodeAndPod()
        let stored = state.pods[podKey]
        let applied = state.run(3, .delete(.pod, podKey, uid: nil))
        #expect(applied.only == .applied(nil, changed: true))
        #expect(state.pods.isEmpty)
        #expect(applied.changes == stored.map { [Change(kind: .deleted, object: .pod($0), index: 3)] })
    }

    @Test func delete_ofPlacedPod_waitsForFinalize() {
        var state = nodeAndPod()
        state.run(3, .bind(pod: podKey, uid: uid, node: "node-1", podIP: "10.244.1.2"))
        let deletedAt = Fixture.t0 + 60
        let applied = state.run(4, at: deletedAt, .delete(.pod, podKey, uid: uid))
        #expect(applied.only.object?.metadata.deletionTimestamp == deletedAt)
        #expect(applied.changes.map(\.kind) == [.modified])
        #expect(state.pods[podKey]?.isTerminating == true)
        #expect(state.pods[podKey]?.metadata.resourceVersion == "4")

        let again = state.run(5, .delete(.pod, podKey, uid: nil))
        #expect(again.only.changed == false && again.changes.isEmpty)

        let stale = state.run(6, .finalize(.pod, podKey, uid: "another"))
        #expect(stale.only.error?.message == #"Operation cannot be fulfilled on pods "web-0": the object was recreated"#)

        let finalized = state.run(7, .finalize(.pod, podKey, uid: uid))
        #expect(finalized.only == .applied(nil, changed: true))
        #expect(finalized.changes.map(\.kind) == [.deleted] && finalized.changes.map(\.index) == [7])
        #expect(state.pods.isEmpty)
    }

    @Test func delete_ofFinishedPod_removesItAtOnce() {
        var state = nodeAndPod()
        state.run(3, .bind(pod: podKey, uid: uid, node: "node-1", podIP: "10.244.1.2"))
        var finished = state.pods[podKey] ?? Fixture.pod()
        finished.status?.phase = "Succeeded"
        state.run(4, .updateStatus(.pod(finished)))
        #expect(state.run(5, .delete(.pod, podKey, uid: uid)).only == .applied(nil, changed: true))
        #expect(state.pods.isEmpty)
    }

    @Test func delete_ofStatefulSet_waitsForFinalize() {
        var state = ClusterState()
        let uid = state.run(5, .create(.statefulSet(Fixture.seedSet))).only.object?.metadata.uid ?? ""
        #expect(state.run(6, .finalize(.statefulSet, setKey, uid: uid)).only.error?.message
            == #"Operation cannot be fulfilled on statefulsets.apps "my-statefulset": the object is not being deleted"#)
        #expect(state.run(7, .delete(.statefulSet, setKey, uid: uid)).only.object?.metadata.isTerminating == true)
        #expect(state.statefulSets[setKey] != nil)
        #expect(state.run(8, .finalize(.statefulSet, setKey, uid: uid)).only == .applied(nil, changed: true))
        #expect(state.statefulSets.isEmpty)
    }

    @Test func delete_ofClaimInUse_waits_andUnusedClaim_takesItsVolume() {
        var state = nodeAndPod(claim: "data-web-0")
        state.run(3, .create(.persistentVolume(Fixture.volume("pv-a"))), .create(.persistentVolumeClaim(Fixture.claim("data-web-0", volume: "pv-a"))))
        state.run(4, .create(.persistentVolume(Fixture.volume("pv-b"))), .create(.persistentVolumeClaim(Fixture.claim("data-web-1", volume: "pv-b"))))

        let inUse = state.run(5, .delete(.persistentVolumeClaim, Fixture.key("data-web-0"), uid: nil))
        #expect(inUse.only.object?.metadata.isTerminating == true)
        #expect(state.volumes[Fixture.clusterKey("pv-a")] != nil)

        let claim = state.claims[Fixture.key("data-web-1")]
        let volume = state.volumes[Fixture.clusterKey("pv-b")]
        let unused = state.run(6, .delete(.persistentVolumeClaim, Fixture.key("data-web-1"), uid: nil))
        #expect(unused.only == .applied(nil, changed: true))
        #expect(unused.changes == [
            claim.map { Change(kind: .deleted, object: .persistentVolumeClaim($0), index: 6) },
            volume.map { Change(kind: .deleted, object: .persistentVolume($0), index: 6) },
        ].compactMap { $0 })
        #expect(unused.changes.count == 2)
        #expect(state.claims[Fixture.key("data-web-1")] == nil && state.volumes[Fixture.clusterKey("pv-b")] == nil)
    }

    @Test func delete_withStaleUID_isConflict_andMissingObject_isNotFound() {
        var state = nodeAndPod()
        let error = state.run(3, .delete(.pod, podKey, uid: "old")).only.error
        #expect(error?.code == 409)
        #expect(error?.message == #"Operation cannot be fulfilled on pods "web-0": the UID in the precondition (old) does not match the UID in record (\#(uid)). The object might have been deleted and then recreated"#)
        #expect(state.run(4, .delete(.service, Fixture.key("db"), uid: nil)).only.error == .notFound(.service, "db"))
        #expect(state.run(5, .finalize(.pod, Fixture.key("web-7"), uid: uid)).only.error?.message == #"pods "web-7" not found"#)
    }
}

@Suite struct ApplyBindTests {
    @Test func bind_placesPod_withFencingEpochOfTheIndex() {
        var state = nodeAndPod()
        let applied = state.run(9, .bind(pod: podKey, uid: uid, node: "node-1", podIP: "10.244.1.5"))
        let pod = state.pods[podKey]
        #expect(applied.only.changed == true)
        #expect(pod?.spec.nodeName == "node-1")
        #expect(pod?.status?.podIP == "10.244.1.5")
        #expect(pod?.status?.hostIP == "10.0.0.1")
        #expect(pod?.metadata.annotations?[Pod.Keys.fencingEpoch] == "9")
        #expect(pod?.fencingEpoch == 9)
        #expect(pod?.status?.conditions == [Pod.Condition(type: "PodScheduled", status: "True", lastTransitionTime: Fixture.t0)])
        #expect(pod?.metadata.resourceVersion == "9")
        #expect(applied.changes == pod.map { [Change(kind: .modified, object: .pod($0), index: 9)] })
    }

    @Test func bind_refusesSecondBind_unknownNode_andRecreatedPod() {
        var state = nodeAndPod()
        state.run(3, .create(.node(Fixture.node("node-2", ip: "10.0.0.2"))))
        state.run(4, .bind(pod: podKey, uid: uid, node: "node-1", podIP: "10.244.1.5"))
        let second = state.run(5, .bind(pod: podKey, uid: uid, node: "node-2", podIP: "10.244.2.5"))
        #expect(second.only.error?.message == #"Operation cannot be fulfilled on pods "web-0": pod web-0 is already assigned to node "node-1""#)
        #expect(state.pods[podKey]?.spec.nodeName == "node-1")

        var fresh = nodeAndPod()
        #expect(fresh.run(3, .bind(pod: podKey, uid: uid, node: "node-9", podIP: "10.244.9.5")).only.error == .notFound(.node, "node-9"))
        #expect(fresh.run(4, .bind(pod: podKey, uid: "old", node: "node-1", podIP: "10.244.1.5")).only.error?.message
            == #"Operation cannot be fulfilled on pods "web-0": the pod was recreated"#)
        #expect(fresh.run(5, .bind(pod: Fixture.key("web-9"), uid: uid, node: "node-1", podIP: "10.244.1.5")).only.error == .notFound(.pod, "web-9"))
        #expect(fresh.pods[podKey]?.spec.nodeName == nil)
    }
}

@Suite struct ApplyBindClaimTests {
    /// Seed 11440067357075992868 of the controller simulation: one pass updated a claim twice,
    /// the scheduler's binding of it was refused as a conflict, and the pod was placed anyway,
    /// without its volume. A pod is placed only where every claim it mounts has its volume.
    @Test func bind_refusesAPodWhoseClaimHasNoVolumeOrOneOnAnotherNode() {
        var state = nodeAndPod(claim: "data-web-0")
        var second = Fixture.node("node-2", ip: "10.0.0.2")
        second.spec.podCIDR = "10.244.2.0/24"
        #expect(state.run(3, .create(.node(second))).only.error == nil)
        state.run(4, .create(.persistentVolumeClaim(Fixture.claim())))
        let unbound = state.run(5, .bind(pod: podKey, uid: uid, node: "node-1", podIP: "10.244.1.5"))
        #expect(unbound.only.error?.message == #"Operation cannot be fulfilled on pods "web-0": claim data-web-0 is not bound to a volume"#)

        state.run(6, .create(.persistentVolume(Fixture.volume(node: "node-2"))))
        var claim = try! #require(state.claims[Fixture.key("data-web-0")])
        claim.spec.volumeName = "pv-data-web-0"
        state.run(7, .update(.persistentVolumeClaim(claim)))
        let away = state.run(8, .bind(pod: podKey, uid: uid, node: "node-1", podIP: "10.244.1.5"))
        #expect(away.only.error?.message == #"Operation cannot be fulfilled on pods "web-0": claim data-web-0's volume pv-data-web-0 is on node node-2, not node-1"#)
        #expect(state.pods[podKey]?.spec.nodeName == nil)

        let there = state.run(9, .bind(pod: podKey, uid: uid, node: "node-2", podIP: "10.244.2.5"))
        #expect(there.only.error == nil)
        #expect(state.pods[podKey]?.spec.nodeName == "node-2")
    }
}

@Suite struct ApplyResultTests {
    /// Each write's result is the object as stored, new `resourceVersion` included, which is
    /// what the API answers a create or update with.
    @Test func results_reportTheStoredObject() {
        var state = nodeAndPod()
        var next = Fixture.seedSet
        next.spec.replicas = 5
        let writes = [
            state.run(3, .create(.statefulSet(Fixture.seedSet))),
            state.run(4, .update(.statefulSet(next))),
            state.run(5, .bind(pod: podKey, uid: uid, node: "node-1", podIP: "10.244.1.2")),
            state.run(6, .delete(.statefulSet, setKey, uid: nil)),
        ]
        for (offset, applied) in writes.enumerated() {
            #expect(applied.only.object == applied.changes.first?.object)
            #expect(applied.only.object?.metadata.resourceVersion == String(offset + 3))
        }
    }
}

@Suite struct ApplyDeterminismTests {
    /// A little history touching every command.
    private static let history: [(UInt64, ClusterProposal)] = [
        (1, ClusterProposal(at: Fixture.t0, commands: [.create(.node(Fixture.node())), .create(.service(Fixture.headlessService))])),
        (2, ClusterProposal(at: Fixture.t0 + 1, commands: [.create(.statefulSet(Fixture.seedSet)), .create(.pod(Fixture.pod("web-0"))), .create(.pod(Fixture.pod("web-1")))])),
        (3, ClusterProposal(at: Fixture.t0 + 2, commands: [.bind(pod: Fixture.key("web-0"), uid: "00000000-0000-0002-0000-000000000001", node: "node-1", podIP: "10.244.1.2")])),
        (4, ClusterProposal(at: Fixture.t0 + 3, commands: [.delete(.pod, Fixture.key("web-1"), uid: nil), .delete(.pod, Fixture.key("web-0"), uid: nil)])),
        (5, ClusterProposal(at: Fixture.t0 + 4, commands: [.finalize(.pod, Fixture.key("web-0"), uid: "00000000-0000-0002-0000-000000000001"), .delete(.statefulSet, Fixture.key("my-statefulset"), uid: nil)])),
    ]

    @Test func replicas_applyingTheSameProposals_endEqual() {
        var first = ClusterState()
        var second = ClusterState()
        let firstApplied = Self.history.map { first.apply($0.1, at: $0.0) }
        let secondApplied = Self.history.map { second.apply($0.1, at: $0.0) }
        #expect(first == second)
        #expect(firstApplied == secondApplied)
        #expect(firstApplied.flatMap(\.results).allSatisfy { $0.error == nil })
        #expect(first.pods.isEmpty)
        #expect(first.statefulSets[setKey]?.metadata.isTerminating == true)
    }

    @Test func changes_listEveryStoredChange_inOrder_withTheIndex() {
        var state = ClusterState()
        let applied = state.run(
            12,
            .create(.pod(Fixture.pod("web-0"))),
            .create(.statefulSet(Fixture.seedSet)),
            .delete(.pod, Fixture.key("web-0"), uid: nil),
            .create(.statefulSet(Fixture.seedSet))
        )
        #expect(applied.changes.map(\.kind) == [.added, .added, .deleted])
        #expect(applied.changes.map(\.object.kind) == [.pod, .statefulSet, .pod])
        #expect(applied.changes.allSatisfy { $0.index == 12 })
        #expect(applied.results.map { $0.error?.reason } == [nil, nil, nil, "AlreadyExists"])
        #expect([Change.Kind.added, .modified, .deleted].map(\.rawValue) == ["ADDED", "MODIFIED", "DELETED"])
    }
}

@Suite struct PlacementTests {
    @Test func aClientUpdateKeepsThePodsPlacementAndEpoch() throws {
        var state = ClusterState()
        let at = Timestamp(seconds: 1_800_000_000)
        var node = Node(metadata: ObjectMeta(name: "a1"), spec: .init(podCIDR: "127.128.1.0/24"))
        node.status = .init(addresses: [.init(type: "InternalIP", address: "127.0.1.1")], capacity: nil)
        _ = state.apply(ClusterProposal(at: at, commands: [.create(.node(node))]), at: 1)
        let pod = Pod(metadata: ObjectMeta(name: "web-0", namespace: "default"), spec: PodSpec(containers: [Container(name: "web", image: "nginx")]))
        _ = state.apply(ClusterProposal(at: at, commands: [.create(.pod(pod))]), at: 2)
        let key = ObjectKey(namespace: "default", name: "web-0")
        let uid = try #require(state.pods[key]?.metadata.uid)
        _ = state.apply(ClusterProposal(at: at, commands: [.bind(pod: key, uid: uid, node: "a1", podIP: "127.128.1.2")]), at: 3)
        var relabelled = try #require(state.pods[key])
        relabelled.metadata.labels = ["tier": "web"]
        relabelled.metadata.annotations = nil
        relabelled.spec.nodeName = nil
        relabelled.metadata.resourceVersion = nil
        _ = state.apply(ClusterProposal(at: at, commands: [.update(.pod(relabelled))]), at: 4)
        let after = try #require(state.pods[key])
        #expect(after.metadata.labels == ["tier": "web"])
        #expect(after.spec.nodeName == "a1")
        #expect(after.fencingEpoch == 3)
    }
}

@Suite struct AddressUniquenessTests {
    private let at = Timestamp(seconds: 1_800_000_000)

    private func node(_ name: String, _ cidr: String) -> ClusterCommand {
        .create(.node(Node(metadata: ObjectMeta(name: name), spec: .init(podCIDR: cidr))))
    }

    @Test(arguments: [("127.128.2.0/24", false), ("127.128.2.0/23", false), ("127.128.3.0/24", true), ("127.128.0.0/16", false)])
    func aNodeCannotTakeAnotherNodesPodCIDR(cidr: String, accepted: Bool) {
        var state = ClusterState()
        _ = state.apply(ClusterProposal(at: at, commands: [node("a1", "127.128.2.0/24")]), at: 1)
        let result = state.apply(ClusterProposal(at: at, commands: [node("a2", cidr)]), at: 2).results.first
        if case .applied = result { #expect(accepted) } else { #expect(!accepted) }
    }

    @Test func twoPodsCannotBeBoundToOneAddress() throws {
        var state = ClusterState()
        _ = state.apply(ClusterProposal(at: at, commands: [node("a1", "127.128.1.0/24")]), at: 1)
        let spec = PodSpec(containers: [Container(name: "c", image: "x")])
        _ = state.apply(ClusterProposal(at: at, commands: [
            .create(.pod(Pod(metadata: ObjectMeta(name: "p0", namespace: "default"), spec: spec))),
            .create(.pod(Pod(metadata: ObjectMeta(name: "p1", namespace: "default"), spec: spec))),
        ]), at: 2)
        let p0 = ObjectKey(namespace: "default", name: "p0"), p1 = ObjectKey(namespace: "default", name: "p1")
        let uid0 = try #require(state.pods[p0]?.metadata.uid), uid1 = try #require(state.pods[p1]?.metadata.uid)
        let results = state.apply(ClusterProposal(at: at, commands: [
            .bind(pod: p0, uid: uid0, node: "a1", podIP: "127.128.1.2"),
            .bind(pod: p1, uid: uid1, node: "a1", podIP: "127.128.1.2"),
        ]), at: 3).results
        if case .applied = results[0] {} else { Issue.record("the first bind must apply") }
        guard case .rejected(let error) = results[1] else { Issue.record("the second bind must be refused"); return }
        #expect(error.reason == "Conflict")
        #expect(state.pods[p1]?.spec.nodeName == nil)
    }
}
