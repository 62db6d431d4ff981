import ClusterState
@testable import Controller
import Testing

/// A whole cluster's replicated state on a virtual clock, with a stand-in for the node
/// agents: it reports pods Running (and Ready when `isReady` says so) and confirms
/// deletions, as the runtime does on real agents.
struct World {
    var state = ClusterState()
    var index: UInt64 = 0
    var now = Timestamp(seconds: 1_800_000_000)
    var alive: Set<String> = []
    /// Nodes the leader's lease book reports lost (dead, lease run out).
    var lost: Set<String> = []
    /// Which pods the stand-in kubelet reports Ready once running.
    var isReady: (Pod) -> Bool = { _ in true }
    /// Every command the controller proposed, in order.
    var log: [ClusterCommand] = []

    /// - Parameter pools: how many of the nodes (the first ones) keep a volume pool.
    init(nodes: Int = 3, capacity: Int = 110, pools: Int = 0) {
        var commands: [ClusterCommand] = []
        for n in 1 ... max(1, nodes) {
            let name = "a\(n)"
            var metadata = ObjectMeta(name: name, labels: [Node.hostnameLabel: name])
            metadata.annotations = [Node.volumeRootAnnotation: "/data/\(name)/volumes"]
            let node = Node(
                metadata: metadata, spec: .init(podCIDR: "127.128.\(n).0/24"),
                status: .init(
                    addresses: [.init(type: "InternalIP", address: "127.0.1.\(n)")],
                    capacity: ["pods": String(capacity)].merging(n <= pools ? [Node.volumePoolCapacity: "1073741824"] : [:]) { $1 }
                )
            )
            commands.append(.create(.node(node)))
            alive.insert(name)
        }
        submit(commands)
    }

    @discardableResult
    mutating func submit(_ commands: [ClusterCommand]) -> [ApplyResult] {
        index += 1
        return state.apply(ClusterProposal(at: now, commands: commands), at: index).results
    }

    mutating func create(_ set: StatefulSet) {
        let results = submit([.create(.statefulSet(set))])
        precondition(results.allSatisfy { if case .applied = $0 { true } else { false } }, "\(results)")
    }

    mutating func change(_ name: String, _ edit: (inout StatefulSet) -> Void) {
        var set = state.statefulSets[ObjectKey(namespace: "default", name: name)]!
        edit(&set)
        set.metadata.resourceVersion = nil
        submit([.update(.statefulSet(set))])
    }

    /// One controller pass, applied.
    @discardableResult
    mutating func reconcile() -> [ClusterCommand] {
        let commands = Reconciler.reconcile(state: state, liveness: Liveness(aliveNodes: alive, lostNodes: lost), now: now)
        if !commands.isEmpty {
            log += commands
            submit(commands)
        }
        return commands
    }

    /// What the node agents report: placed pods run (and are Ready per `isReady`),
    /// terminating pods on live nodes stop and are removed.
    @discardableResult
    mutating func kubelet() -> Bool {
        var commands: [ClusterCommand] = []
        for (key, pod) in state.pods.sorted(by: { $0.key < $1.key }) {
            guard let node = pod.spec.nodeName, alive.contains(node) else { continue }
            if pod.isTerminating {
                commands.append(.finalize(.pod, key, uid: pod.metadata.uid!))
                continue
            }
            guard pod.phase == Pod.Phase.pending else { continue }
            var running = pod
            running.status?.phase = Pod.Phase.running
            running.status?.conditions = [Pod.Condition(type: "Ready", status: isReady(pod) ? "True" : "False", lastTransitionTime: now)]
            commands.append(.updateStatus(.pod(running)))
        }
        guard !commands.isEmpty else { return false }
        submit(commands)
        return true
    }

    /// Marks a pod Ready or not, as a readiness probe would.
    mutating func setReady(_ name: String, _ ready: Bool) {
        var pod = pods[name]!
        pod.status?.conditions = [Pod.Condition(type: "Ready", status: ready ? "True" : "False", lastTransitionTime: now)]
        submit([.updateStatus(.pod(pod))])
    }

    mutating func setPhase(_ name: String, _ phase: String) {
        var pod = pods[name]!
        pod.status?.phase = phase
        submit([.updateStatus(.pod(pod))])
    }

    /// Controller and kubelet until nothing changes (bounded).
    mutating func settle(passes: Int = 200) {
        for _ in 0 ..< passes {
            let proposed = reconcile()
            let reported = kubelet()
            if proposed.isEmpty && !reported { return }
        }
        Issue.record("the world did not settle in \(passes) passes")
    }

    var pods: [String: Pod] {
        Dictionary(uniqueKeysWithValues: state.pods.values.map { ($0.metadata.name, $0) })
    }

    var podNames: [String] { state.pods.keys.map(\.name).sorted(by: ordinalOrder) }
    var claimNames: [String] { state.claims.keys.map(\.name).sorted() }

    func set(_ name: String) -> StatefulSet { state.statefulSets[ObjectKey(namespace: "default", name: name)]! }

    /// Pod names the controller created, in order.
    var created: [String] {
        log.compactMap { if case .create(.pod(let pod)) = $0 { pod.metadata.name } else { nil } }
    }

    /// Pod names the controller deleted, in order.
    var deleted: [String] {
        log.compactMap { if case .delete(.pod, let key, _) = $0 { key.name } else { nil } }
    }
}

func ordinalOrder(_ a: String, _ b: String) -> Bool {
    let oa = Int(a.split(separator: "-").last ?? "") ?? 0
    let ob = Int(b.split(separator: "-").last ?? "") ?? 0
    return (a.split(separator: "-").dropLast().joined(), oa) < (b.split(separator: "-").dropLast().joined(), ob)
}

/// A StatefulSet like the seed manifest, with knobs.
func webSet(
    replicas: Int = 3, parallel: Bool = false, claims: Bool = true, image: String = "nginx",
    partition: Int? = nil, maxUnavailable: IntOrString? = nil, onDelete: Bool = false,
    retention: (whenDeleted: String, whenScaled: String)? = nil, start: Int? = nil,
    minReadySeconds: Int? = nil, historyLimit: Int? = nil, nodeSelector: [String: String]? = nil
) -> StatefulSet {
    var container = Container(name: "web", image: image)
    container.ports = [ContainerPort(name: "http", containerPort: 80)]
    var podSpec = PodSpec(containers: [container])
    podSpec.nodeSelector = nodeSelector
    let template = PodTemplateSpec(metadata: TemplateMeta(labels: ["app": "web"]), spec: podSpec)
    var spec = StatefulSet.Spec(replicas: replicas, selector: LabelSelector(matchLabels: ["app": "web"]), serviceName: "nginx", template: template)
    if claims {
        spec.volumeClaimTemplates = [
            .init(metadata: TemplateMeta(name: "data"), spec: .init(accessModes: ["ReadWriteOnce"], storageClassName: "local", storage: "1Gi")),
        ]
    }
    if parallel { spec.podManagementPolicy = StatefulSet.Policy.parallel }
    if onDelete {
        spec.updateStrategy = .init(type: StatefulSet.Policy.onDelete)
    } else if partition != nil || maxUnavailable != nil {
        spec.updateStrategy = .init(type: StatefulSet.Policy.rollingUpdate, rollingUpdate: .init(partition: partition, maxUnavailable: maxUnavailable))
    }
    if let retention { spec.persistentVolumeClaimRetentionPolicy = .init(whenDeleted: retention.whenDeleted, whenScaled: retention.whenScaled) }
    if let start { spec.ordinals = .init(start: start) }
    spec.minReadySeconds = minReadySeconds
    spec.revisionHistoryLimit = historyLimit
    return StatefulSet(metadata: ObjectMeta(name: "web", namespace: "default"), spec: spec)
}
