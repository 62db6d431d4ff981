import ClusterState
import Foundation
import Testing
@testable import Runtime

/// An agent's own CNI network: the bridge named after its block, the gateway its first
/// address, host-local addresses from the block, valid JSON for containerd.
@Suite struct PodBridgeNetworkTests {
    @Test(arguments: [
        ("198.19.1.0/24", "ordc6130100", "198.19.1.1"),
        ("198.19.254.0/23", "ordc613fe00", "198.19.254.1"),
        ("10.0.0.0/24", "orda000000", "10.0.0.1"),
    ])
    func namesAndGateway(_ cidr: String, _ bridge: String, _ gateway: String) throws {
        let network = PodBridgeNetwork(block: try #require(AddressBlock(cidr)))
        #expect(network.bridge == bridge && network.bridge.count <= 15)
        #expect(network.gateway == gateway)
    }

    @Test func theConflistIsWhatTheBridgePluginReads() throws {
        let network = PodBridgeNetwork(block: try #require(AddressBlock("198.19.3.0/24")))
        let text = network.conflist()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let plugins = try #require(object["plugins"] as? [[String: Any]])
        #expect(plugins.map { $0["type"] as? String } == ["bridge", "portmap"])
        #expect(plugins[0]["bridge"] as? String == "ordc6130300" && plugins[0]["isGateway"] as? Bool == true)
        let ipam = try #require(plugins[0]["ipam"] as? [String: Any])
        #expect(object["name"] as? String == "ordinal-ordc6130300", "host-local's leases per block, with the machine")
        #expect((ipam["routes"] as? [[String: String]]) == [["dst": "0.0.0.0/0"]], "a default route through the gateway")
        let range = try #require((ipam["ranges"] as? [[[String: Any]]])?.first?.first)
        #expect(range["subnet"] as? String == "198.19.3.0/24" && range["gateway"] as? String == "198.19.3.1")
    }
}
