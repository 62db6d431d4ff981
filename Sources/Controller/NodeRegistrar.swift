import ClusterState

/// Keeps one Node object per agent that gossip knows, run by the leader alongside the
/// StatefulSet controller: it creates the Node of a new agent with the next free pod CIDR
/// block, and keeps addresses and the Ready condition in step with gossip.
package enum NodeRegistrar {
    /// What gossip says about one agent.
    package struct Agent: Sendable, Hashable {
        package var name: String
        package var address: String
        package var alive: Bool
        package var volumeRoot: String?
        /// How many pods the agent takes (`--max-pods`, 110 by default as a kubelet's).
        package var maxPods: Int
        /// The size of the agent's volume pool in bytes, when it keeps one.
        package var volumePoolBytes: Int64?
        /// Why the agent's container runtime is not ready, as the agent gossips it; nil
        /// while it is (or the agent runs host processes).
        package var runtimeProblem: String?

        package init(name: String, address: String, alive: Bool, volumeRoot: String?, maxPods: Int = 110, volumePoolBytes: Int64? = nil, runtimeProblem: String? = nil) {
            self.name = name
            self.address = address
            self.alive = alive
            self.volumeRoot = volumeRoot
            self.maxPods = maxPods
            self.volumePoolBytes = volumePoolBytes
            self.runtimeProblem = runtimeProblem
        }
    }

    /// The cluster's pod addresses by default (design §6): loopback, for agents that share
    /// one machine or each bind loopback (`--pod-cidr` routes another, e.g. `198.19.0.0/16`).
    package static let loopbackPodCIDR = AddressBlock("127.128.0.0/9")!

    /// Node blocks are carved from the cluster's pod CIDR in units of /24: unit `i` starts
    /// `i * 256` addresses into it. An agent gets a /24, or the smallest larger aligned
    /// block that holds its `--max-pods` addresses (network, `.1` and broadcast excluded).
    package static func podCIDR(cluster: AddressBlock, unit: Int, prefix: Int) -> String {
        IPv4.format(cluster.base + UInt32(unit) * 256) + "/\(prefix)"
    }

    /// The prefix length whose block holds `maxPods` pod addresses, at most /24.
    static func prefix(forPods maxPods: Int) -> Int {
        var prefix = 24
        while prefix > 9, (1 << (32 - prefix)) - 3 < maxPods { prefix -= 1 }
        return prefix
    }

    /// The lowest aligned run of `units` /24 units (unit 0 kept free) of `total` that no node uses.
    private static func freeUnit(size units: Int, total: Int, used: [Range<Int>]) -> Int? {
        var unit = units
        while unit + units <= total {
            let candidate = unit ..< unit + units
            if let clash = used.first(where: { $0.overlaps(candidate) }) {
                unit = (clash.upperBound + units - 1) / units * units
            } else {
                return unit
            }
        }
        return nil
    }

    /// The /24 units of the cluster's CIDR a node's CIDR covers.
    private static func units(of cidr: String, in cluster: AddressBlock) -> Range<Int>? {
        guard let block = AddressBlock(cidr), block.overlaps(cluster), block.base >= cluster.base, block.size >= 256 else { return nil }
        let start = Int((block.base - cluster.base) >> 8)
        return start ..< start + block.size / 256
    }

    /// - Parameter cluster: the cluster's pod CIDR (``loopbackPodCIDR`` unless `--pod-cidr`,
    ///   at least a /22); each node takes /24 units of it, unit 0 left free.
    package static func commands(state: ClusterState, agents: [Agent], cluster: AddressBlock = loopbackPodCIDR, now: Timestamp) -> [ClusterCommand] {
        var used = state.nodes.values.compactMap { $0.spec.podCIDR.flatMap { units(of: $0, in: cluster) } }
        let total = cluster.size / 256
        var commands: [ClusterCommand] = []
        for agent in agents.sorted(by: { $0.name < $1.name }) {
            let key = ObjectKey(namespace: "", name: agent.name)
            guard let existing = state.nodes[key] else {
                let prefix = prefix(forPods: agent.maxPods)
                guard agent.alive, let unit = freeUnit(size: 1 << (24 - prefix), total: total, used: used) else { continue }
                used.append(unit ..< unit + (1 << (24 - prefix)))
                let cidr = podCIDR(cluster: cluster, unit: unit, prefix: prefix)
                var metadata = ObjectMeta(name: agent.name, labels: [Node.hostnameLabel: agent.name])
                metadata.annotations = agent.volumeRoot.map { [Node.volumeRootAnnotation: $0] }
                var node = Node(metadata: metadata, spec: .init(podCIDR: cidr))
                node.status = status(of: agent, previous: nil, now: now)
                commands.append(.create(.node(node)))
                continue
            }
            let status = status(of: agent, previous: existing.status, now: now)
            if status != existing.status {
                var updated = existing
                updated.metadata.resourceVersion = nil
                updated.status = status
                commands.append(.updateStatus(.node(updated)))
            }
        }
        return commands
    }

    private static func status(of agent: Agent, previous: Node.Status?, now: Timestamp) -> Node.Status {
        var status = previous ?? Node.Status(addresses: nil, capacity: nil)
        status.capacity = ["pods": String(agent.maxPods)]
        if let pool = agent.volumePoolBytes { status.capacity?[Node.volumePoolCapacity] = String(pool) }
        status.allocatable = status.capacity
        status.addresses = [.init(type: "InternalIP", address: agent.address), .init(type: "Hostname", address: agent.name)]
        let ready = readiness(of: agent)
        let previousReady = previous?.conditions?.first { $0.type == "Ready" }
        if previousReady?.status != ready.status || previousReady?.reason != ready.reason || previousReady?.message != ready.message {
            var condition = Pod.Condition(type: "Ready", status: ready.status, lastTransitionTime: previousReady?.status == ready.status ? previousReady?.lastTransitionTime : now)
            condition.reason = ready.reason
            condition.message = ready.message
            status.conditions = [condition]
        }
        return status
    }

    /// The Node's Ready condition: Unknown while gossip says the agent is dead; False, as
    /// a kubelet reports it (`KubeletNotReady`), while its container runtime is not ready.
    private static func readiness(of agent: Agent) -> (status: String, reason: String, message: String) {
        guard agent.alive else { return ("Unknown", "AgentUnreachable", "gossip reports the agent dead") }
        if let problem = agent.runtimeProblem { return ("False", "KubeletNotReady", problem) }
        return ("True", "AgentAlive", "gossip reports the agent alive")
    }
}
