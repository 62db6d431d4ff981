import ClusterState
import Testing

private let setKey = Fixture.key("my-statefulset")

/// The seed set as `create` at `index` stores it.
private func storedSeed(index: UInt64) -> StatefulSet {
    var set = Fixture.seedSet.withDefaults
    set.metadata.namespace = "default"
    set.metadata.uid = "00000000-0000-" + String(String(index, radix: 16).suffix(4)).leftPadded(4) + "-0000-000000000000"
    set.metadata.resourceVersion = String(index)
    set.metadata.generation = 1
    set.metadata.creationTimestamp = Fixture.t0
    return set
}

private extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

@Suite struct ApplyCreateTests {
    @Test func create_stampsIdentity_andFillsDefaults() {
        var state = ClusterState()
        let applied = state.run(5, .create(.statefulSet(Fixture.seedSet)))
        let set = state.statefulSets[setKey]
        #expect(applied.only.changed == true)
        #expect(set?.metadata.uid == "00000000-0000-0005-0000-000000000000")
        #expect(set?.metadata.creationTimestamp == Fixture.t0)
        #expect(set?.metadata.resourceVersion == "5")
        #expect(set?.metadata.generation == 1)
        #expect(set?.metadata.namespace == "default")
        #expect(set?.apiVersion == "apps/v1" && set?.kind == "StatefulSet")
        #expect(set?.spec.podManagementPolicy == "OrderedReady")
        #expect(set?.spec.updateStrategy == StatefulSet.UpdateStrategy(type: "RollingUpdate", rollingUpdate: .init(partition: 0, maxUnavailable: .int(1))))
        #expect(set?.spec.revisionHistoryLimit == 10)
        #expect(set?.spec.persistentVolumeClaimRetentionPolicy == .init(whenDeleted: "Retain", whenScaled: "Retain"))
        #expect(set?.spec.template.spec.restartPolicy == "Always")
        #expect(set?.spec.template.spec.terminationGracePeriodSeconds == 30)
        #expect(set?.spec.template.spec.containers[0].ports?[0].protocol == "TCP")
        #expect(set?.spec.volumeClaimTemplates?[0].spec.volumeMode == nil, "templates are stored as written (kubectl re-apply)")
        #expect(set == storedSeed(index: 5))
        #expect(applied.changes == [Change(kind: .added, object: .statefulSet(storedSeed(index: 5)), index: 5)])
    }

    @Test func create_ofPod_startsPending() {
        var state = ClusterState()
        let pod = state.run(3, .create(.pod(Fixture.pod()))).only.object?.pod
        #expect(pod?.status?.phase == "Pending")
        #expect(pod?.apiVersion == "v1" && pod?.kind == "Pod")
    }

    @Test func create_ofClusterScopedKind_dropsNamespace() {
        var state = ClusterState()
        var node = Fixture.node()
        node.metadata.namespace = "default"
        let stored = state.run(1, .create(.node(node))).only.object
        #expect(stored?.metadata.namespace == nil)
        #expect(state.nodes[Fixture.clusterKey("node-1")] != nil)
    }

    @Test func create_ofService_fillsPortDefaults() {
        var state = ClusterState()
        guard case .service(let service)? = state.run(1, .create(.service(Fixture.headlessService))).only.object else {
            Issue.record("service not created")
            return
        }
        #expect(service.spec.type == "ClusterIP")
        #expect(service.spec.clusterIPs == ["None"])
        #expect(service.spec.ports == [Service.Port(name: "web", port: 80, targetPort: .int(80), protocol: "TCP")])
    }

    @Test func create_ofTakenName_isAlreadyExists() {
        var state = ClusterState()
        state.run(5, .create(.statefulSet(Fixture.seedSet)))
        let before = state
        let applied = state.run(6, .create(.statefulSet(Fixture.seedSet)))
        #expect(applied.only.error == StatusError(
            code: 409, reason: "AlreadyExists", message: #"statefulsets.apps "my-statefulset" already exists"#, kind: .statefulSet, name: "my-statefulset"
        ))
        #expect(applied.changes.isEmpty)
        #expect(state == before)
        var elsewhere = Fixture.seedSet
        elsewhere.metadata.namespace = "team-a"
        #expect(state.run(7, .create(.namespace(Namespace(metadata: ObjectMeta(name: "team-a"))))).only.changed == true)
        #expect(state.run(8, .create(.statefulSet(elsewhere))).only.changed == true)
    }

    @Test func uids_followIndexAndPosition() {
        var state = ClusterState()
        let applied = state.run(0x1_0000_1234, .create(.pod(Fixture.pod("web-0"))), .create(.pod(Fixture.pod("web-1"))))
        #expect(applied.results.map { $0.object?.metadata.uid } == ["00000001-0000-1234-0000-000000000000", "00000001-0000-1234-0000-000000000001"])
    }
}

@Suite struct ApplyUpdateTests {
    private func seeded() -> ClusterState {
        var state = ClusterState()
        state.run(5, .create(.statefulSet(Fixture.seedSet)))
        return state
    }

    @Test func update_withSameManifest_isNoOp() {
        var state = seeded()
        let applied = state.run(6, .update(.statefulSet(Fixture.seedSet)))
        #expect(applied.only == .applied(.statefulSet(storedSeed(index: 5)), changed: false))
        #expect(applied.changes.isEmpty)
        #expect(state.statefulSets[setKey]?.metadata.resourceVersion == "5")
    }

    @Test func update_ofSpec_bumpsGeneration() {
        var state = seeded()
        var next = Fixture.seedSet
        next.spec.replicas = 5
        let applied = state.run(6, .update(.statefulSet(next)))
        let set = state.statefulSets[setKey]
        #expect(applied.only.changed == true)
        #expect(set?.spec.replicas == 5)
        #expect(set?.metadata.generation == 2)
        #expect(set?.metadata.resourceVersion == "6")
        #expect(set?.metadata.uid == storedSeed(index: 5).metadata.uid)
        #expect(set?.metadata.creationTimestamp == Fixture.t0)
        #expect(applied.changes.map(\.kind) == [.modified] && applied.changes.map(\.index) == [6])
    }

    @Test func update_ofLabelsOnly_keepsGeneration() {
        var state = seeded()
        var next = Fixture.seedSet
        next.metadata.labels = ["tier": "db"]
        state.run(6, .update(.statefulSet(next)))
        let set = state.statefulSets[setKey]
        #expect(set?.metadata.labels == ["tier": "db"])
        #expect(set?.metadata.generation == 1)
        #expect(set?.metadata.resourceVersion == "6")
    }

    @Test func update_keepsStatus() {
        var state = seeded()
        var reported = Fixture.seedSet
        reported.status = StatefulSet.Status(replicas: 3)
        state.run(6, .updateStatus(.statefulSet(reported)))
        var next = Fixture.seedSet
        next.spec.replicas = 4
        let set = state.run(7, .update(.statefulSet(next))).only.object?.statefulSet
        #expect(set?.status == StatefulSet.Status(replicas: 3))
        #expect(set?.spec.replicas == 4)
    }

    @Test func update_withStaleResourceVersion_isConflict() {
        var state = seeded()
        var next = Fixture.seedSet
        next.spec.replicas = 4
        state.run(6, .update(.statefulSet(next)))
        next.metadata.resourceVersion = "5"
        next.spec.replicas = 9
        let error = state.run(7, .update(.statefulSet(next))).only.error
        #expect(error?.code == 409 && error?.reason == "Conflict")
        #expect(error?.message == #"Operation cannot be fulfilled on statefulsets.apps "my-statefulset": the object has been modified; please apply your changes to the latest version and try again"#)
        next.metadata.resourceVersion = "6"
        #expect(state.run(8, .update(.statefulSet(next))).only.object?.statefulSet?.spec.replicas == 9)
    }

    @Test func update_withOtherUID_isConflict_andMissingObject_isNotFound() {
        var state = seeded()
        var next = Fixture.seedSet
        next.metadata.uid = "someone-else"
        #expect(state.run(6, .update(.statefulSet(next))).only.error?.reason == "Conflict")
        next.metadata.name = "nope"
        next.metadata.uid = nil
        #expect(state.run(7, .update(.statefulSet(next))).only.error?.message == #"statefulsets.apps "nope" not found"#)
    }

    @Test func updateStatus_replacesOnlyStatus() {
        var state = seeded()
        var reported = Fixture.seedSet
        reported.spec.replicas = 99
        var status = StatefulSet.Status(replicas: 3)
        status.readyReplicas = 2
        status.observedGeneration = 1
        reported.status = status
        let applied = state.run(6, .updateStatus(.statefulSet(reported)))
        let set = state.statefulSets[setKey]
        #expect(set?.status == status)
        #expect(set?.spec.replicas == 3)
        #expect(set?.metadata.generation == 1)
        #expect(set?.metadata.resourceVersion == "6")
        #expect(applied.changes.map(\.kind) == [.modified])
        let again = state.run(7, .updateStatus(.statefulSet(reported)))
        #expect(again.only.changed == false)
        #expect(again.changes.isEmpty)
    }
}
