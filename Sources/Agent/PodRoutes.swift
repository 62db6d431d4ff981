import ClusterState

/// The routes that make pod addresses reachable across machines, as flannel's host-gw
/// backend lays them: this node's block is local (every address in it can be bound, the
/// kernel's AnyIP), and every other node's block goes via that node's address. A value,
/// computed from the replicated Nodes, so the shell only applies differences.
struct PodRoutes: Equatable, Sendable {
    /// This node's pod CIDR, routed locally.
    var local: String?
    /// Other nodes' pod CIDRs -> the address to send them to.
    var remote: [String: String] = [:]

    /// The routes for node `me` among `nodes`: blocks inside the cluster's pod CIDR only,
    /// gateways only for nodes that publish an InternalIP.
    /// - Parameter bridged: the pods here are containers behind this agent's own bridge
    ///   (``PodBridgeConfig``), which routes this node's block itself: no local route then,
    ///   and none to a node at a loopback address, whose bridge is on this very machine.
    static func desired(nodes: some Sequence<Node>, me: String, cluster: AddressBlock, bridged: Bool = false) -> PodRoutes {
        var routes = PodRoutes()
        for node in nodes {
            guard let cidr = node.spec.podCIDR, let block = AddressBlock(cidr), block.overlaps(cluster) else { continue }
            if node.metadata.name == me {
                if !bridged { routes.local = cidr }
            } else if let address = node.status?.addresses?.first(where: { $0.type == "InternalIP" })?.address, let parsed = IPv4.parse(address) {
                if bridged, parsed >> 24 == 127 { continue }
                routes.remote[cidr] = address
            }
        }
        return routes
    }

    /// Every route carries this protocol number, so the agent finds exactly its own routes
    /// to remove (`ip route flush proto 79`) after a crash or on exit.
    static let protocolNumber = "79"

    /// The `ip` invocations that turn `self` into `target`: removals first, then additions
    /// and changes (`replace` is idempotent).
    func commands(to target: PodRoutes) -> [[String]] {
        var commands: [[String]] = []
        let tag = ["proto", Self.protocolNumber]
        if let local, local != target.local {
            commands.append(["route", "del", "local", local, "dev", "lo", "table", "local"] + tag)
        }
        for (cidr, _) in remote.sorted(by: { $0.key < $1.key }) where target.remote[cidr] == nil {
            commands.append(["route", "del", cidr] + tag)
        }
        if let local = target.local, local != self.local {
            commands.append(["route", "replace", "local", local, "dev", "lo", "table", "local"] + tag)
        }
        for (cidr, gateway) in target.remote.sorted(by: { $0.key < $1.key }) where remote[cidr] != gateway {
            commands.append(["route", "replace", cidr, "via", gateway] + tag)
        }
        return commands
    }

    /// The routes in place, from `ip -o route show proto 79` and `ip -o route show table
    /// local proto 79`: the kernel drops routes through an interface that goes down, so the
    /// agent compares with what is there, not with what it did.
    static func parse(main: String, local: String) -> PodRoutes {
        var routes = PodRoutes()
        for line in main.split(separator: "\n") {
            let words = line.split(separator: " ").map(String.init)
            if words.count >= 3, words[1] == "via" { routes.remote[words[0]] = words[2] }
        }
        for line in local.split(separator: "\n") {
            let words = line.split(separator: " ").map(String.init)
            if words.count >= 2, words[0] == "local" { routes.local = words[1] }
        }
        return routes
    }

    /// Lists this agent's routes, for ``parse(main:local:)``.
    static let show: [[String]] = [
        ["-o", "route", "show", "proto", protocolNumber],
        ["-o", "route", "show", "table", "local", "proto", protocolNumber],
    ]

    /// Removes every route an agent put in place, whatever it remembers.
    static let flush: [[String]] = [
        ["route", "flush", "proto", protocolNumber],
        ["route", "flush", "table", "local", "proto", protocolNumber],
    ]
}
