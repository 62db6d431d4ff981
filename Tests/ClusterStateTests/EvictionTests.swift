import ClusterState
import Testing

/// The Eviction subresource against PodDisruptionBudgets, as applied with each entry.
@Suite struct EvictionTests {
    /// A 3-pod set `zk` on node-1, every pod Running; `ready` names the Ready ones.
    private static func zookeeper(ready: Set<String> = ["zk-0", "zk-1", "zk-2"], budget: PodDisruptionBudget.Spec?) -> ClusterState {
        var state = ClusterState()
        var set = Fixture.seedSet
        set.metadata.name = "zk"
        set.spec.volumeClaimTemplates = nil
        state.run(1, .create(.node(Fixture.node())), .create(.statefulSet(set)))
        let uid = state.statefulSets[Fixture.key("zk")]?.metadata.uid ?? ""
        var index: UInt64 = 2
        for name in ["zk-0", "zk-1", "zk-2"] {
            var pod = Fixture.pod(name)
            pod.metadata.labels = ["app": "my-app"]
            pod.metadata.ownerReferences = [OwnerReference(apiVersion: "apps/v1", kind: "StatefulSet", name: "zk", uid: uid)]
            state.run(index, .create(.pod(pod)))
            let podUID = state.pods[Fixture.key(name)]?.metadata.uid ?? ""
            state.run(index + 1, .bind(pod: Fixture.key(name), uid: podUID, node: "node-1", podIP: "10.244.1.\(index)"))
            guard var bound = state.pods[Fixture.key(name)] else { break }
            bound.status?.phase = Pod.Phase.running
            bound.status?.conditions = [Pod.Condition(type: "Ready", status: ready.contains(name) ? "True" : "False")]
            state.run(index + 2, .updateStatus(.pod(bound)))
            index += 3
        }
        if let budget {
            state.run(index, .create(.podDisruptionBudget(PodDisruptionBudget(metadata: ObjectMeta(name: "zk-pdb"), spec: budget))))
        }
        return state
    }

    private static let maxUnavailableOne = PodDisruptionBudget.Spec(maxUnavailable: .int(1), selector: LabelSelector(matchLabels: ["app": "my-app"]))

    @Test func statusCounts_asTheDisruptionControllerDoes() throws {
        let cases: [(PodDisruptionBudget.Spec, Set<String>, expected: Int, desired: Int, healthy: Int, allowed: Int)] = [
            (Self.maxUnavailableOne, ["zk-0", "zk-1", "zk-2"], 3, 2, 3, 1),
            (Self.maxUnavailableOne, ["zk-0", "zk-1"], 3, 2, 2, 0),
            (.init(minAvailable: .int(2), selector: LabelSelector(matchLabels: ["app": "my-app"])), ["zk-0", "zk-1", "zk-2"], 3, 2, 3, 1),
            (.init(minAvailable: .string("50%"), selector: LabelSelector(matchLabels: ["app": "my-app"])), ["zk-0", "zk-1", "zk-2"], 3, 2, 3, 1),
            (.init(maxUnavailable: .string("34%"), selector: LabelSelector(matchLabels: ["app": "my-app"])), ["zk-0", "zk-1", "zk-2"], 3, 1, 3, 2),
            (.init(minAvailable: .int(5), selector: LabelSelector(matchLabels: ["app": "my-app"])), ["zk-0", "zk-1", "zk-2"], 3, 5, 3, 0),
            (.init(minAvailable: .int(1), selector: LabelSelector(matchLabels: ["app": "other"])), [], 0, 1, 0, 0),
        ]
        for (spec, ready, expected, desired, healthy, allowed) in cases {
            let state = Self.zookeeper(ready: ready, budget: spec)
            let budget = try #require(state.budgets[Fixture.key("zk-pdb")])
            let status = state.disruptionStatus(of: budget, at: Fixture.t0)
            #expect([status.expectedPods, status.desiredHealthy, status.currentHealthy, status.disruptionsAllowed] == [expected, desired, healthy, allowed],
                    "\(spec) ready \(ready.sorted())")
            #expect(status.conditions?.first?.status == (allowed > 0 ? "True" : "False"))
        }
    }

    @Test func eviction_withinBudget_deletesThePod_thenTheNextIsRefusedWith429() {
        var state = Self.zookeeper(budget: Self.maxUnavailableOne)
        let first = state.run(100, .evict(pod: Fixture.key("zk-0"), uid: nil)).only
        #expect(first.object?.pod?.isTerminating == true)
        #expect(state.budgets[Fixture.key("zk-pdb")]?.status?.disruptionsAllowed == 0)
        let before = state
        let second = state.run(101, .evict(pod: Fixture.key("zk-1"), uid: nil)).only.error
        #expect(second?.code == 429)
        #expect(second?.reason == "TooManyRequests")
        #expect(second?.message == "Cannot evict pod as it would violate the pod's disruption budget.")
        #expect(second?.causes == [StatusError.Cause(reason: "DisruptionBudget", message: "The disruption budget zk-pdb needs 2 healthy pods and has 2 currently")])
        #expect(state == before)
    }

    @Test func twoEvictionsInOneEntry_spendTheBudgetOnce() {
        var state = Self.zookeeper(budget: Self.maxUnavailableOne)
        let applied = state.run(100, .evict(pod: Fixture.key("zk-0"), uid: nil), .evict(pod: Fixture.key("zk-2"), uid: nil))
        #expect(applied.results[0].error == nil)
        #expect(applied.results[1].error?.code == 429)
        #expect(state.pods.values.filter(\.isTerminating).map(\.metadata.name) == ["zk-0"])
    }

    @Test func unhealthyPod_goesWhileTheBudgetIsMet_orAlways_underAlwaysAllow() {
        // minAvailable 2 with zk-0, zk-1 Ready: the budget is met, so unready zk-2 may go.
        var met = Self.zookeeper(ready: ["zk-0", "zk-1"], budget: .init(minAvailable: .int(2), selector: LabelSelector(matchLabels: ["app": "my-app"])))
        #expect(met.run(100, .evict(pod: Fixture.key("zk-2"), uid: nil)).only.error == nil)
        // maxUnavailable 1 with only zk-0 Ready: not met; unready zk-2 stays...
        var unmet = Self.zookeeper(ready: ["zk-0"], budget: Self.maxUnavailableOne)
        #expect(unmet.run(100, .evict(pod: Fixture.key("zk-2"), uid: nil)).only.error?.code == 429)
        // ...unless the budget says AlwaysAllow.
        var spec = Self.maxUnavailableOne
        spec.unhealthyPodEvictionPolicy = PodDisruptionBudget.alwaysAllow
        var always = Self.zookeeper(ready: ["zk-0"], budget: spec)
        #expect(always.run(100, .evict(pod: Fixture.key("zk-2"), uid: nil)).only.error == nil)
    }

    @Test func podWithoutBudget_isEvicted_andAMissingPodIs404() {
        var state = Self.zookeeper(budget: nil)
        #expect(state.run(100, .evict(pod: Fixture.key("zk-1"), uid: nil)).only.object?.pod?.isTerminating == true)
        #expect(state.run(101, .evict(pod: Fixture.key("zk-9"), uid: nil)).only.error?.code == 404)
        #expect(state.run(102, .evict(pod: Fixture.key("zk-2"), uid: "someone-else")).only.error?.code == 409)
    }

    @Test func twoBudgetsCoveringOnePod_refuseTheEviction() {
        var state = Self.zookeeper(budget: Self.maxUnavailableOne)
        state.run(100, .create(.podDisruptionBudget(PodDisruptionBudget(metadata: ObjectMeta(name: "second"), spec: Self.maxUnavailableOne))))
        let refused = state.run(101, .evict(pod: Fixture.key("zk-0"), uid: nil)).only.error
        #expect(refused?.code == 500)
        #expect(refused?.message == "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.")
    }

    @Test(arguments: [
        (PodDisruptionBudget.Spec(minAvailable: .int(1), maxUnavailable: .int(1), selector: nil), "spec.minAvailable: Invalid value: 1: minAvailable and maxUnavailable cannot be both set"),
        (PodDisruptionBudget.Spec(minAvailable: .int(-1), selector: nil), "spec.minAvailable: Invalid value: -1: must be greater than or equal to 0"),
        (PodDisruptionBudget.Spec(maxUnavailable: .string("120%"), selector: nil), #"spec.maxUnavailable: Invalid value: "120%": must not be greater than 100%"#),
    ])
    func badBudget_isRefusedWithKubernetesMessage(_ spec: PodDisruptionBudget.Spec, _ message: String) {
        var state = ClusterState()
        let refused = state.run(1, .create(.podDisruptionBudget(PodDisruptionBudget(metadata: ObjectMeta(name: "pdb"), spec: spec)))).only.error
        #expect(refused?.message == "PodDisruptionBudget.policy \"pdb\" is invalid: \(message)")
        #expect(state == ClusterState())
    }
}
