import ClusterState

/// Places pending pods on live nodes. A pod whose claim is bound to a `local` volume goes
/// to that volume's node or waits; otherwise it goes to a live, schedulable node that
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
            guard let node = choose(for: pod), let ip = allocate(on: node) else { continue }
            commands += ClaimBinder(state: state).bindings(for: pod, on: node)
            commands.append(.bind(pod: key, uid: uid, node: node.metadata.name, podIP: IPv4.format(ip)))
            load[node.metadata.name, default: 0] += 1
            setLoad[Self.owner(of: pod), default: [:]][node.metadata.name, default: 0] += 1
        }
        return commands
    }

    /// The best node for `pod`, or nil when none fits now.
    func choose(for pod: Pod) -> Node? {
        let pinned = ClaimBinder(state: state).pinnedNode(of: pod)
        let selector = pod.spec.nodeSelector ?? [:]
        let owner = Self.owner(of: pod)
        return state.nodes.values.filter { node in
            let name = node.metadata.name
            return liveness.aliveNodes.contains(name) && node.spec.unschedulable != true
                && (pinned == nil || pinned == name)
                && selector.allSatisfy { node.metadata.labels?[$0.key] == $0.value }
                && load[name, default: 0] < node.podCapacity
                && node.spec.podCIDR.flatMap(IPv4.CIDR.init) != nil
        }.min { a, b in
            let ka = (setLoad[owner]?[a.metadata.name] ?? 0, load[a.metadata.name] ?? 0, a.metadata.name)
            let kb = (setLoad[owner]?[b.metadata.name] ?? 0, load[b.metadata.name] ?? 0, b.metadata.name)
            return ka < kb
        }
    }

    /// The lowest free host address of the node's pod CIDR (network, `.1` and broadcast
    /// excluded).
    private mutating func allocate(on node: Node) -> UInt32? {
        guard let cidr = node.spec.podCIDR.flatMap(IPv4.CIDR.init) else { return nil }
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

/// Dotted-quad IPv4 addresses and CIDR blocks.
enum IPv4 {
    static func parse(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard let octet = UInt8(part) else { return nil }
            value = value << 8 | UInt32(octet)
        }
        return value
    }

    static func format(_ value: UInt32) -> String {
        [24, 16, 8, 0].map { String(value >> UInt32($0) & 0xFF) }.joined(separator: ".")
    }

    struct CIDR {
        let base: UInt32
        let size: Int

        /// `a.b.c.d/n` with 8 ≤ n ≤ 30.
        init?(_ text: String) {
            let parts = text.split(separator: "/")
            guard parts.count == 2, let address = IPv4.parse(String(parts[0])), let bits = Int(parts[1]),
                  (8 ... 30).contains(bits) else { return nil }
            let mask: UInt32 = ~0 << UInt32(32 - bits)
            base = address & mask
            size = 1 << (32 - bits)
        }
    }
}
