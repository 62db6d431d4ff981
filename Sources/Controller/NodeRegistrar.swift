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

        package init(name: String, address: String, alive: Bool, volumeRoot: String?, maxPods: Int = 110) {
            self.name = name
            self.address = address
            self.alive = alive
            self.volumeRoot = volumeRoot
            self.maxPods = maxPods
        }
    }

    /// Pod CIDRs are /24 blocks of this /9, block `i` = `127.(128 + i / 256).(i % 256).0/24`
    /// (design §6), starting at block 1.
    package static func podCIDR(block: Int) -> String {
        "127.\(128 + block / 256).\(block % 256).0/24"
    }

    package static func commands(state: ClusterState, agents: [Agent], now: Timestamp) -> [ClusterCommand] {
        var used = Set(state.nodes.values.compactMap(\.spec.podCIDR))
        var nextBlock = 1
        var commands: [ClusterCommand] = []
        for agent in agents.sorted(by: { $0.name < $1.name }) {
            let key = ObjectKey(namespace: "", name: agent.name)
            guard let existing = state.nodes[key] else {
                guard agent.alive else { continue }
                while used.contains(podCIDR(block: nextBlock)) { nextBlock += 1 }
                let cidr = podCIDR(block: nextBlock)
                used.insert(cidr)
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
        status.allocatable = status.capacity
        status.addresses = [.init(type: "InternalIP", address: agent.address), .init(type: "Hostname", address: agent.name)]
        let ready = agent.alive ? "True" : "Unknown"
        let previousReady = previous?.conditions?.first { $0.type == "Ready" }
        if previousReady?.status != ready {
            var condition = Pod.Condition(type: "Ready", status: ready, lastTransitionTime: now)
            condition.reason = agent.alive ? "AgentAlive" : "AgentUnreachable"
            condition.message = agent.alive ? "gossip reports the agent alive" : "gossip reports the agent dead"
            status.conditions = [condition]
        }
        return status
    }
}
