import ClusterState

/// Places pending pods on live nodes. A pod whose claim is bound to a `local` volume goes
/// to that volume's node or waits, and one bound to a replicated volume goes to its primary; otherwise it goes to a live, schedulable node that
/// matches its `nodeSelector` and has room, preferring the node with the fewest pods of the
/// same set, then the fewest pods. Unbound claims get a volume on the chosen node. The
/// pod's IP comes from the node's pod CIDR.
struct Scheduler {
    let state: ClusterState
    let liveness: Liveness
    private var load: [String: Int] = [:]
    private var setLoad: [String: [String: Int]] = [:]
    private var usedAddresses: [String: Set<UInt32>] = [:]

    init(state: ClusterState, liveness: Liveness) {
        self.state = state
        self.liveness = liveness
        for pod in state.pods.values {
            guard let node = pod.spec.nodeName else { continue }
            load[node, default: 0] += 1
            setLoad[Self.owner(of: pod), default: [:]][node, default: 0] += 1
            if let ip = pod.status?.podIP.flatMap(IPv4.parse) { usedAddresses[node, default: []].insert(ip) }
        }
    }

    mutating func placements(limit: Int) -> [ClusterCommand] {
        let pending = state.pods.filter { $0.value.spec.nodeName == nil && !$0.value.isTerminating }
        var commands: [ClusterCommand] = []
        for key in pending.keys.sorted() {
            guard commands.count < limit, let pod = pending[key], let uid = pod.metadata.uid else { break }
            guard let node = choose(for: pod), let ip = allocate(on: node) else {
                if let report = unschedulable(pod) { commands.append(report) }
                continue
            }
            commands += ClaimBinder(state: state).bindings(for: pod, on: node, alive: liveness.aliveNodes)
            commands.append(.bind(pod: key, uid: uid, node: node.metadata.name, podIP: IPv4.format(ip)))
            load[node.metadata.name, default: 0] += 1
            setLoad[Self.owner(of: pod), default: [:]][node.metadata.name, default: 0] += 1
        }
        return commands
    }

    /// The best node for `pod`, or nil when none fits now.
    func choose(for pod: Pod) -> Node? {
        let pinned = ClaimBinder(state: state).pinnedNode(of: pod)
        let owner = Self.owner(of: pod)
        return state.nodes.values.filter { misfit(of: pod, on: $0, pinned: pinned) == nil }.min { a, b in
            let ka = (setLoad[owner]?[a.metadata.name] ?? 0, load[a.metadata.name] ?? 0, a.metadata.name)
            let kb = (setLoad[owner]?[b.metadata.name] ?? 0, load[b.metadata.name] ?? 0, b.metadata.name)
            return ka < kb
        }
    }

    /// Why `pod` cannot go to `node` now, in the words of Kubernetes' scheduler; nil when it fits.
    private func misfit(of pod: Pod, on node: Node, pinned: String?) -> String? {
        let name = node.metadata.name
        if !liveness.aliveNodes.contains(name) { return "node(s) were unreachable" }
        if node.reportsNotReady { return "node(s) had untolerated taint {node.kubernetes.io/not-ready: }" }
        if let pinned, pinned != name { return "node(s) didn't match PersistentVolume's node affinity" }
        if pinned == nil, !node.hasVolumePool, ClaimBinder(state: state).needsVolumePool(pod) {
            return "node(s) had no volume pool for storage class replicated"
        }
        if !(pod.spec.nodeSelector ?? [:]).allSatisfy({ node.metadata.labels?[$0.key] == $0.value }) {
            return "node(s) didn't match Pod's node affinity/selector"
        }
        if load[name, default: 0] >= node.podCapacity { return "Too many pods" }
        if node.spec.unschedulable == true { return "node(s) were unschedulable" }
        if !hasFreeAddress(on: node) { return "node(s) had no free pod address" }
        return nil
    }

    /// Why `pod` fits no node, as its `PodScheduled=False` condition (written once per
    /// distinct message).
    private func unschedulable(_ pod: Pod) -> ClusterCommand? {
        let pinned = ClaimBinder(state: state).pinnedNode(of: pod)
        var reasons: [String: Int] = [:]
        for node in state.nodes.values {
            if let reason = misfit(of: pod, on: node, pinned: pinned) { reasons[reason, default: 0] += 1 }
        }
        let detail = reasons.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        let message = "0/\(state.nodes.count) nodes are available: \(detail.isEmpty ? "no nodes registered" : detail)."
        let current = pod.status?.conditions?.first { $0.type == "PodScheduled" }
        guard current?.message != message else { return nil }
        var updated = pod
        updated.metadata.resourceVersion = nil
        var condition = Pod.Condition(type: "PodScheduled", status: "False")
        condition.reason = "Unschedulable"
        condition.message = message
        var status = updated.status ?? Pod.Status(phase: Pod.Phase.pending)
        status.conditions = (status.conditions ?? []).filter { $0.type != "PodScheduled" } + [condition]
        updated.status = status
        return .updateStatus(.pod(updated))
    }

    private func hasFreeAddress(on node: Node) -> Bool {
        guard let cidr = node.spec.podCIDR.flatMap(AddressBlock.init), cidr.size >= 4 else { return false }
        return (usedAddresses[node.metadata.name]?.count ?? 0) < cidr.size - 3
    }

    /// The lowest free host address of the node's pod CIDR (network, `.1` and broadcast
    /// excluded).
    private mutating func allocate(on node: Node) -> UInt32? {
        guard let cidr = node.spec.podCIDR.flatMap(AddressBlock.init) else { return nil }
        let used = usedAddresses[node.metadata.name] ?? []
        for offset in 2 ..< max(2, cidr.size - 1) {
            let address = cidr.base &+ UInt32(offset)
            if !used.contains(address) {
                usedAddresses[node.metadata.name, default: []].insert(address)
                return address
            }
        }
        return nil
    }

    private static func owner(of pod: Pod) -> String {
        pod.metadata.ownerReferences?.first { $0.controller == true }?.uid ?? ""
    }
}
