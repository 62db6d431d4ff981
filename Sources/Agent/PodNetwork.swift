import ClusterState
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The pod block this machine's routes make local, so pods start only once their address
/// can be bound (Kubernetes' kubelet waits for NetworkReady the same way).
final class LocalPodBlock: Sendable {
    private let block = Mutex<String?>(nil)

    var current: String? { block.withLock { $0 } }

    func set(_ value: String?) { block.withLock { $0 = value } }
}

/// Keeps this machine's routes for pod addresses in step with the replicated Nodes when the
/// cluster's pod CIDR is routed (`--pod-cidr` outside loopback): this node's block local,
/// every other node's block via that node (``PodRoutes``). Routes are changed with
/// iproute2's `ip`, tagged so that the agent removes exactly its own at start (a crashed
/// predecessor's) and on exit. Needs root (CAP_NET_ADMIN).
struct PodNetwork: ServiceLifecycle.Service {
    let nodeName: String
    let cluster: AddressBlock
    let store: AgentStore
    /// Where the block made local is published for the pod pass.
    let local: LocalPodBlock
    let logger: Logger
    /// How often the Nodes are compared with the routes in place.
    var interval: Duration = .milliseconds(500)

    /// Removes any routes a previous agent left, and checks `ip` works here.
    /// - Throws: ``AgentStartError`` when routes cannot be changed (not root, no iproute2).
    func prepare() throws {
        for command in PodRoutes.flush {
            if let failure = Self.ip(command) {
                throw AgentStartError(reason: "--pod-cidr \(cluster.description) routes pod addresses, which needs root and iproute2 (`ip`): \(failure)")
            }
        }
    }

    func run() async throws {
        var applied = PodRoutes()
        defer {
            local.set(nil)
            for command in PodRoutes.flush { _ = Self.ip(command) }
            logger.notice("pod routes removed")
        }
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let target = PodRoutes.desired(nodes: store.cluster.state.nodes.values, me: nodeName, cluster: cluster)
            if target != applied {
                var failed = false
                for command in applied.commands(to: target) {
                    if let failure = Self.ip(command) {
                        logger.warning("pod route change failed", metadata: ["ip.args": "\(command.joined(separator: " "))", "error": "\(failure)"])
                        failed = true
                    }
                }
                // After a failure the routes in place are unknown: start again from none.
                applied = failed ? PodRoutes() : target
                local.set(applied.local)
                if !failed {
                    logger.info("pod routes", metadata: ["routes.local": "\(target.local ?? "-")", "routes.remote": "\(target.remote.count)"])
                }
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// Runs `ip ARGS…`; nil on success, else what it said.
    private static func ip(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        if !FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") { process.executableURL = URL(fileURLWithPath: "/sbin/ip") }
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return "cannot run ip: \(error)"
        }
        process.waitUntilExit()
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return process.terminationStatus == 0 ? nil : "ip \(arguments.joined(separator: " ")): \(said.trimmingCharacters(in: .whitespacesAndNewlines))"
    }
}
