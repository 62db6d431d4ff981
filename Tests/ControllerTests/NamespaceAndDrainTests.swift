import ClusterState
@testable import Controller
import Testing

/// Namespaces deleted with their contents, `default` created by the controller, budgets'
/// status kept, and a drain (cordon, then evictions) played through the controller.
@Suite struct NamespaceAndDrainTests {
    @Test func controllerCreatesDefault_andNamespacesObjectsAlreadyUse() {
        var world = World()
        #expect(world.state.namespaces.isEmpty)
        world.settle()
        #expect(world.state.namespaces.keys.map(\.name) == ["default"])
        #expect(world.state.namespaces.values.first?.status?.phase == Namespace.active)
    }

    @Test func deletingANamespace_deletesEverythingInIt_thenTheNamespace() throws {
        var world = World()
        world.submit([.create(.namespace(Namespace(metadata: ObjectMeta(name: "team-a"))))])
        var set = webSet(replicas: 2)
        set.metadata.namespace = "team-a"
        world.create(set)
        world.create(webSet(replicas: 1))
        world.settle()
        #expect(world.state.pods.keys.filter { $0.namespace == "team-a" }.count == 2)
        #expect(world.state.claims.keys.filter { $0.namespace == "team-a" }.count == 2)
        world.submit([.delete(.namespace, ObjectKey(namespace: "", name: "team-a"), uid: nil)])
        #expect(world.state.namespaces[ObjectKey(namespace: "", name: "team-a")]?.metadata.isTerminating == true)
        world.settle()
        for kind in ObjectKind.allCases where kind.isNamespaced {
            #expect(world.state.objects(kind, namespace: "team-a").isEmpty, "\(kind) left in team-a")
        }
        #expect(world.state.namespaces[ObjectKey(namespace: "", name: "team-a")] == nil)
        #expect(world.state.volumes.values.allSatisfy { $0.spec.claimRef?.namespace != "team-a" })
        // The other namespace is untouched.
        #expect(world.podNames == ["web-0"])
    }

    @Test func budgetStatus_isKeptByTheController() throws {
        var world = World()
        world.create(webSet(replicas: 3, claims: false))
        world.submit([.create(.podDisruptionBudget(PodDisruptionBudget(
            metadata: ObjectMeta(name: "web-pdb", namespace: "default"),
            spec: .init(maxUnavailable: .int(1), selector: LabelSelector(matchLabels: ["app": "web"]))
        )))])
        world.settle()
        let status = try #require(world.state.budgets[ObjectKey(namespace: "default", name: "web-pdb")]?.status)
        #expect([status.expectedPods, status.desiredHealthy, status.currentHealthy, status.disruptionsAllowed] == [3, 2, 3, 1])
        world.setReady("web-1", false)
        world.settle()
        #expect(world.state.budgets[ObjectKey(namespace: "default", name: "web-pdb")]?.status?.disruptionsAllowed == 0)
    }

    /// kubectl drain's loop on the controller: cordon, then try to evict every pod of the
    /// node each round, as kubectl's concurrent evictions retry a 429. With maxUnavailable 1,
    /// at no step are two pods of the set unavailable, some evictions are refused, and every
    /// pod ends Ready elsewhere.
    @Test func drainUnderABudget_movesEveryPod_neverTwoUnavailable() throws {
        var world = World(nodes: 2)
        world.create(webSet(replicas: 3, claims: false))
        world.submit([.create(.podDisruptionBudget(PodDisruptionBudget(
            metadata: ObjectMeta(name: "web-pdb", namespace: "default"),
            spec: .init(maxUnavailable: .int(1), selector: LabelSelector(matchLabels: ["app": "web"]))
        )))])
        world.settle()
        let counts = Dictionary(grouping: world.state.pods.values, by: { $0.spec.nodeName ?? "" })
        let drained = try #require(counts.max { $0.value.count < $1.value.count }?.key)
        try #require((counts[drained]?.count ?? 0) >= 2, "the drained node holds at least two pods")
        var node = try #require(world.state.nodes[ObjectKey(namespace: "", name: drained)])
        node.spec.unschedulable = true
        world.submit([.update(.node(node))])
        var refusals = 0
        for _ in 0 ..< 100 {
            let onNode = world.state.pods.values.filter { $0.spec.nodeName == drained && !$0.isTerminating }
            if onNode.isEmpty { break }
            for pod in onNode.sorted(by: { $0.metadata.name < $1.metadata.name }) {
                let result = world.submit([.evict(pod: ObjectKey(namespace: "default", name: pod.metadata.name), uid: nil)])
                if case .rejected(let error)? = result.first {
                    #expect(error.code == 429, "\(error)")
                    refusals += 1
                }
            }
            world.reconcile()
            world.kubelet()
            let available = world.state.pods.values.filter { !$0.isTerminating && $0.isReady }.count
            #expect(available >= 2, "two pods of the set unavailable at once")
        }
        world.settle()
        #expect(world.state.pods.values.allSatisfy { $0.spec.nodeName != drained && $0.isReady })
        #expect(world.state.pods.count == 3)
        #expect(refusals > 0, "the budget never refused an eviction")
        #expect(world.state.nodes[ObjectKey(namespace: "", name: drained)]?.spec.unschedulable == true)
    }
}
