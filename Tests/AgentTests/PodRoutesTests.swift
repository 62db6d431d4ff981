import ClusterState
import Testing
@testable import Agent

/// Routes for pod addresses across machines (host-gw): this node's block local, every other
/// node's block via its address; changes become the fewest `ip` commands.
@Suite struct PodRoutesTests {
    static let cluster = AddressBlock("198.19.0.0/16")!

    static func node(_ name: String, cidr: String?, address: String?) -> Node {
        Node(
            metadata: ObjectMeta(name: name), spec: Node.Spec(podCIDR: cidr),
            status: Node.Status(addresses: address.map { [Node.Address(type: "InternalIP", address: $0)] }, capacity: nil)
        )
    }

    @Test func theOwnBlockIsLocalAndOthersGoViaTheirNode() {
        let nodes = [
            Self.node("m1", cidr: "198.19.1.0/24", address: "198.18.0.11"),
            Self.node("m2", cidr: "198.19.2.0/24", address: "198.18.0.12"),
            Self.node("m3", cidr: "198.19.3.0/24", address: nil),
            Self.node("m4", cidr: "127.128.4.0/24", address: "198.18.0.14"),
            Self.node("m5", cidr: nil, address: "198.18.0.15"),
        ]
        let routes = PodRoutes.desired(nodes: nodes, me: "m1", cluster: Self.cluster)
        #expect(routes == PodRoutes(local: "198.19.1.0/24", remote: ["198.19.2.0/24": "198.18.0.12"]))
    }

    /// Container pods behind the agent's own bridge: the bridge routes this node's block,
    /// and a node at a loopback address has its bridge on this same machine.
    @Test func bridgedPodsNeedNoLocalRouteNorRoutesToThisMachinesOtherAgents() {
        let nodes = [
            Self.node("a1", cidr: "198.19.1.0/24", address: "127.0.1.1"),
            Self.node("a2", cidr: "198.19.2.0/24", address: "127.0.1.2"),
            Self.node("m3", cidr: "198.19.3.0/24", address: "198.18.0.13"),
        ]
        #expect(PodRoutes.desired(nodes: nodes, me: "a1", cluster: Self.cluster, bridged: true) == PodRoutes(local: nil, remote: ["198.19.3.0/24": "198.18.0.13"]))
    }

    @Test func changesBecomeRemovalsThenReplacements() {
        let before = PodRoutes(local: "198.19.1.0/24", remote: ["198.19.2.0/24": "198.18.0.12", "198.19.3.0/24": "198.18.0.13"])
        let after = PodRoutes(local: "198.19.1.0/24", remote: ["198.19.2.0/24": "198.18.0.22", "198.19.4.0/24": "198.18.0.14"])
        #expect(before.commands(to: after) == [
            ["route", "del", "198.19.3.0/24", "proto", "79"],
            ["route", "replace", "198.19.2.0/24", "via", "198.18.0.22", "proto", "79"],
            ["route", "replace", "198.19.4.0/24", "via", "198.18.0.14", "proto", "79"],
        ])
        #expect(PodRoutes().commands(to: PodRoutes(local: "198.19.1.0/24")) == [
            ["route", "replace", "local", "198.19.1.0/24", "dev", "lo", "table", "local", "proto", "79"],
        ])
        #expect(after.commands(to: after).isEmpty)
    }

    @Test func theRoutesInPlaceAreReadBackFromIp() {
        let main = "198.19.2.0/24 via 198.18.0.12 dev eth0 \n198.19.3.0/24 via 198.18.0.13 dev eth0 \n"
        let local = "local 198.19.1.0/24 dev lo scope host \n"
        #expect(PodRoutes.parse(main: main, local: local) == PodRoutes(
            local: "198.19.1.0/24", remote: ["198.19.2.0/24": "198.18.0.12", "198.19.3.0/24": "198.18.0.13"]
        ))
        #expect(PodRoutes.parse(main: "", local: "") == PodRoutes())
    }
}
