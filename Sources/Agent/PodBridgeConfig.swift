import ClusterState
import Foundation
import Logging
import Runtime
import ServiceLifecycle

/// Writes this agent's CNI network (``Runtime/PodBridgeNetwork``) into its containerd's
/// conf dir (`--cni-conf-dir`) once the leader has given its Node a pod CIDR, and again if
/// that ever changes, as a kubelet's network plugin follows `node.spec.podCIDR`. containerd
/// reports `NetworkReady` false until the file is there, so the Node stays not Ready and
/// takes no pods before; the pod pass also waits for the block (``LocalPodBlock``).
struct PodBridgeConfig: ServiceLifecycle.Service {
    let nodeName: String
    let confDirectory: String
    let store: AgentStore
    let local: LocalPodBlock
    let logger: Logger
    var interval: Duration = .milliseconds(500)

    func run() async throws {
        var written: AddressBlock?
        var lastFailure: String?
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let cidr = store.cluster.state.nodes[ObjectKey(namespace: "", name: nodeName)]?.spec.podCIDR
            if let block = cidr.flatMap(AddressBlock.init), block != written {
                let network = PodBridgeNetwork(block: block)
                do {
                    try write(network)
                    written = block
                    local.set(block.description)
                    logger.notice("pod network written for the container runtime", metadata: [
                        "cni.file": "\(confDirectory)/\(PodBridgeNetwork.fileName)", "pods.block": "\(block)", "pods.bridge": "\(network.bridge)",
                        "pods.gateway": "\(network.gateway)",
                    ])
                } catch {
                    let failure = "\(error)"
                    if failure != lastFailure { logger.warning("cannot write the pod network", metadata: ["cni.dir": "\(confDirectory)", "error": "\(failure)"]) }
                    lastFailure = failure
                }
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// Written to a temporary file and renamed, so containerd never reads half a file.
    private func write(_ network: PodBridgeNetwork) throws {
        let manager = FileManager.default
        try manager.createDirectory(atPath: confDirectory, withIntermediateDirectories: true)
        let target = URL(fileURLWithPath: confDirectory).appendingPathComponent(PodBridgeNetwork.fileName)
        let temporary = URL(fileURLWithPath: confDirectory).appendingPathComponent(".\(PodBridgeNetwork.fileName).tmp")
        try Data(network.conflist().utf8).write(to: temporary)
        guard rename(temporary.path, target.path) == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target.path]) }
    }
}
