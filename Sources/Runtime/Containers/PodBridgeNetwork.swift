package import ClusterState
import Foundation

/// The CNI network an agent gives its own containerd (`--cni-conf-dir`), as a kubelet's
/// node gets one from its `podCIDR`: a bridge of its own holding the block's first address
/// (the pods' gateway) and host-local addresses from the rest of the block. Each agent of a
/// machine has its own bridge and block, so pods of different agents are routed to each
/// other by the host, and pods of other machines through the routes the agent keeps.
package struct PodBridgeNetwork: Equatable, Sendable {
    /// The node's pod CIDR, from its Node.
    package let block: AddressBlock

    package init(block: AddressBlock) {
        self.block = block
    }

    /// The file containerd's CRI plugin reads from the conf dir (it takes the first by name).
    package static let fileName = "10-ordinal.conflist"

    /// `ord` and the block's base in hex: unique per block, within Linux's 15 characters.
    package var bridge: String { "ord" + String(block.base, radix: 16) }

    /// The block's first address, on the bridge.
    package var gateway: String { IPv4.format(block.base + 1) }

    /// The network's name, after its bridge: host-local keeps its leases under
    /// `/var/lib/cni/networks/<name>`, with the machine rather than with the agent's data dir,
    /// so an agent started afresh never hands out an address a sandbox still holds.
    package var name: String { "ordinal-" + bridge }

    /// The conflist: the bridge plugin (gateway, hairpin for a pod reaching itself through
    /// a Service name) with host-local IPAM and a default route through the gateway (other
    /// blocks and the cluster DNS address are off the pod's subnet), then portmap.
    package func conflist() -> String {
        let network: [String: Any] = [
            "cniVersion": "1.0.0",
            "name": name,
            "plugins": [
                [
                    "type": "bridge", "bridge": bridge, "isGateway": true, "hairpinMode": true,
                    "ipam": ["type": "host-local", "ranges": [[["subnet": block.description, "gateway": gateway]]], "routes": [["dst": "0.0.0.0/0"]]],
                ] as [String: Any],
                ["type": "portmap", "capabilities": ["portMappings": true]],
            ],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: network, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
