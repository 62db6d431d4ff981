import ClusterState
@testable import Controller
import Testing

@Suite struct ClaimRetentionTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var whenDeleted: String
        var whenScaled: String
        var claimsAfterScaleDown: [String]
        var claimsAfterDelete: [String]
        var testDescription: String { "whenDeleted=\(whenDeleted) whenScaled=\(whenScaled)" }
    }

    static let rows: [Row] = [
        Row(whenDeleted: "Retain", whenScaled: "Retain", claimsAfterScaleDown: ["data-web-0", "data-web-1", "data-web-2"], claimsAfterDelete: ["data-web-0", "data-web-1", "data-web-2"]),
        Row(whenDeleted: "Delete", whenScaled: "Retain", claimsAfterScaleDown: ["data-web-0", "data-web-1", "data-web-2"], claimsAfterDelete: []),
        Row(whenDeleted: "Retain", whenScaled: "Delete", claimsAfterScaleDown: ["data-web-0"], claimsAfterDelete: ["data-web-0"]),
        Row(whenDeleted: "Delete", whenScaled: "Delete", claimsAfterScaleDown: ["data-web-0"], claimsAfterDelete: []),
    ]

    @Test(arguments: rows)
    func retentionPolicy(row: Row) {
        var world = World()
        world.create(webSet(replicas: 3, retention: (row.whenDeleted, row.whenScaled)))
        world.settle()
        #expect(world.claimNames == ["data-web-0", "data-web-1", "data-web-2"])
        world.change("web") { $0.spec.replicas = 1 }
        world.settle()
        #expect(world.claimNames == row.claimsAfterScaleDown)
        #expect(world.state.volumes.count == row.claimsAfterScaleDown.count, "a deleted claim takes its volume")
        world.submit([.delete(.statefulSet, ObjectKey(namespace: "default", name: "web"), uid: nil)])
        world.settle()
        #expect(world.claimNames == row.claimsAfterDelete)
    }

    @Test func scalingBackUpReattachesTheRetainedClaim() {
        var world = World()
        world.create(webSet(replicas: 2))
        world.settle()
        let claim = world.state.claims[ObjectKey(namespace: "default", name: "data-web-1")]!
        let node = world.pods["web-1"]!.spec.nodeName
        world.change("web") { $0.spec.replicas = 1 }
        world.settle()
        world.change("web") { $0.spec.replicas = 2 }
        world.settle()
        #expect(world.state.claims[ObjectKey(namespace: "default", name: "data-web-1")]?.metadata.uid == claim.metadata.uid)
        #expect(world.pods["web-1"]?.spec.nodeName == node)
    }

    @Test func aClaimIsCreatedBeforeItsPodAndBoundOnPlacement() {
        var world = World()
        world.create(webSet(replicas: 1))
        world.reconcile()
        let first = world.log.firstIndex { if case .create(.persistentVolumeClaim) = $0 { true } else { false } }
        let pod = world.log.firstIndex { if case .create(.pod) = $0 { true } else { false } }
        #expect(first != nil && pod != nil && first! < pod!)
        world.settle()
        let claim = world.state.claims[ObjectKey(namespace: "default", name: "data-web-0")]!
        #expect(claim.status?.phase == "Bound")
        let volume = world.state.volumes[ObjectKey(namespace: "", name: claim.spec.volumeName ?? "")]
        #expect(volume?.node == world.pods["web-0"]?.spec.nodeName)
        #expect(volume?.spec.local?.path.hasPrefix("/data/\(volume?.node ?? "")/volumes/pvc-") == true)
    }
}

@Suite struct SchedulerTests {
    @Test func podsOfASetSpreadAcrossNodesWithDistinctAddresses() {
        var world = World(nodes: 3)
        world.create(webSet(replicas: 6, parallel: true))
        world.settle()
        let byNode = Dictionary(grouping: world.pods.values, by: { $0.spec.nodeName ?? "" })
        #expect(byNode.keys.sorted() == ["a1", "a2", "a3"])
        #expect(byNode.values.allSatisfy { $0.count == 2 })
        let addresses = world.pods.values.compactMap(\.status?.podIP)
        #expect(Set(addresses).count == 6)
        for pod in world.pods.values {
            let node = pod.spec.nodeName!.dropFirst()
            #expect(pod.status?.podIP?.hasPrefix("127.128.\(node).") == true)
        }
    }

    @Test func nodeSelectorAndLivenessAreHonoured() {
        var world = World(nodes: 3)
        world.alive.remove("a2")
        world.create(webSet(replicas: 2, parallel: true, nodeSelector: [Node.hostnameLabel: "a2"]))
        world.settle()
        #expect(world.pods.values.allSatisfy { $0.spec.nodeName == nil }, "the only matching node is dead")
        world.alive.insert("a2")
        world.settle()
        #expect(world.pods.values.allSatisfy { $0.spec.nodeName == "a2" })
    }

    /// A node whose runtime is down (Ready False) is tainted not-ready in Kubernetes: no new
    /// pod goes there, and the reason says so.
    @Test func aNodeThatIsNotReadyTakesNoPods() {
        var world = World(nodes: 1)
        let key = ObjectKey(namespace: "", name: "a1")
        world.state.nodes[key]?.status?.conditions = [Pod.Condition(type: "Ready", status: "False")]
        world.create(webSet(replicas: 1, claims: false))
        world.settle()
        let pod = world.pods["web-0"]
        #expect(pod?.spec.nodeName == nil)
        let condition = pod?.status?.conditions?.first { $0.type == "PodScheduled" }
        #expect(condition?.message == "0/1 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }.")
        world.state.nodes[key]?.status?.conditions = [Pod.Condition(type: "Ready", status: "True")]
        world.settle()
        #expect(world.pods["web-0"]?.spec.nodeName == "a1")
    }

    @Test func nodeCapacityLimitsPlacement() {
        var world = World(nodes: 2, capacity: 1)
        world.create(webSet(replicas: 3, parallel: true, claims: false))
        world.settle()
        #expect(world.pods.values.count { $0.spec.nodeName != nil } == 2)
    }

    @Test func aPodWhoseVolumeIsOnADeadNodeWaits() {
        var world = World(nodes: 2)
        world.create(webSet(replicas: 1))
        world.settle()
        let node = world.pods["web-0"]!.spec.nodeName!
        world.setPhase("web-0", Pod.Phase.failed)
        world.alive.remove(node)
        world.settle()
        #expect(world.pods["web-0"]?.spec.nodeName == nil)
        world.alive.insert(node)
        world.settle()
        #expect(world.pods["web-0"]?.spec.nodeName == node)
    }
}

@Suite struct UnschedulableTests {
    @Test func aPodThatFitsNowhereSaysWhyOnce() {
        var world = World(nodes: 2, capacity: 1)
        world.create(webSet(replicas: 3, parallel: true, claims: false))
        world.settle()
        let waiting = world.pods.values.filter { $0.spec.nodeName == nil }
        #expect(waiting.count == 1)
        let condition = waiting.first?.status?.conditions?.first { $0.type == "PodScheduled" }
        #expect(condition?.status == "False" && condition?.reason == "Unschedulable")
        #expect(condition?.message == "0/2 nodes are available: 2 Too many pods.")
        #expect(world.reconcile().isEmpty, "the same reason is not written again")
    }
}

@Suite struct NodeRegistrarTests {
    private func register(_ agents: [NodeRegistrar.Agent], cluster: AddressBlock = NodeRegistrar.loopbackPodCIDR, into state: inout ClusterState) {
        let commands = NodeRegistrar.commands(state: state, agents: agents, cluster: cluster, now: Timestamp(seconds: 0))
        _ = state.apply(ClusterProposal(at: Timestamp(seconds: 0), commands: commands), at: 1)
    }

    @Test func eachAgentGetsItsOwnBlockSizedForItsPods() {
        var state = ClusterState()
        register([
            .init(name: "a1", address: "127.0.1.1", alive: true, volumeRoot: nil),
            .init(name: "a2", address: "127.0.1.2", alive: true, volumeRoot: nil, maxPods: 500),
            .init(name: "a3", address: "127.0.1.3", alive: true, volumeRoot: nil),
            .init(name: "a4", address: "127.0.1.4", alive: false, volumeRoot: nil),
        ], into: &state)
        let cidrs = state.nodes.values.reduce(into: [String: String]()) { $0[$1.metadata.name] = $1.spec.podCIDR }
        #expect(cidrs == ["a1": "127.128.1.0/24", "a2": "127.128.2.0/23", "a3": "127.128.4.0/24"])
        #expect(state.nodes[ObjectKey(namespace: "", name: "a2")]?.podCapacity == 500)
        #expect(state.nodes.values.allSatisfy { $0.status?.conditions?.first?.status == "True" })
    }

    /// A routed pod CIDR (`--pod-cidr 198.19.0.0/16`) is carved like the loopback one, and
    /// only as far as it goes: a /22 holds three /24 nodes (unit 0 stays free).
    @Test func blocksComeFromTheClustersPodCIDRAndRunOut() {
        var state = ClusterState()
        let agents = (1 ... 4).map { NodeRegistrar.Agent(name: "m\($0)", address: "198.18.0.1\($0)", alive: true, volumeRoot: nil) }
        register(agents, cluster: AddressBlock("198.19.0.0/22")!, into: &state)
        let cidrs = state.nodes.values.reduce(into: [String: String]()) { $0[$1.metadata.name] = $1.spec.podCIDR }
        #expect(cidrs == ["m1": "198.19.1.0/24", "m2": "198.19.2.0/24", "m3": "198.19.3.0/24"])
    }

    @Test func aDeadAgentsNodeTurnsNotReady() {
        var state = ClusterState()
        register([.init(name: "a1", address: "127.0.1.1", alive: true, volumeRoot: nil)], into: &state)
        let commands = NodeRegistrar.commands(state: state, agents: [.init(name: "a1", address: "127.0.1.1", alive: false, volumeRoot: nil)], now: Timestamp(seconds: 9))
        _ = state.apply(ClusterProposal(at: Timestamp(seconds: 9), commands: commands), at: 2)
        let ready = state.nodes[ObjectKey(namespace: "", name: "a1")]?.status?.conditions?.first
        #expect(ready?.status == "Unknown" && ready?.lastTransitionTime == Timestamp(seconds: 9))
    }

    /// An agent alive to gossip whose container runtime is down: Ready False as a kubelet
    /// says it, back to True (a new transition) once the runtime answers again.
    @Test func anAgentWhoseRuntimeIsDownIsNotReadyUntilItRecovers() {
        var state = ClusterState()
        let healthy = NodeRegistrar.Agent(name: "a1", address: "127.0.1.1", alive: true, volumeRoot: nil)
        var sick = healthy
        sick.runtimeProblem = "container runtime is down: CRI Status: unavailable"
        register([healthy], into: &state)
        let key = ObjectKey(namespace: "", name: "a1")
        for (at, agent, expected) in [(5, sick, ("False", "KubeletNotReady")), (9, healthy, ("True", "AgentAlive"))] {
            let commands = NodeRegistrar.commands(state: state, agents: [agent], now: Timestamp(seconds: Int64(at)))
            _ = state.apply(ClusterProposal(at: Timestamp(seconds: Int64(at)), commands: commands), at: UInt64(at))
            let ready = state.nodes[key]?.status?.conditions?.first
            #expect(ready?.status == expected.0 && ready?.reason == expected.1 && ready?.lastTransitionTime == Timestamp(seconds: Int64(at)), "\(String(describing: ready))")
        }
        #expect(state.nodes[key]?.reportsNotReady == false)
        #expect(NodeRegistrar.commands(state: state, agents: [healthy], now: Timestamp(seconds: 20)).isEmpty, "nothing changed, nothing written")
    }

}
