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
    /// Container pods behind this agent's bridge (``PodBridgeConfig`` then publishes the
    /// block, and routes skip it: ``PodRoutes/desired(nodes:me:cluster:bridged:)``).
    var bridged = false
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
        defer {
            if !bridged { local.set(nil) }
            for command in PodRoutes.flush { _ = Self.ip(command) }
            logger.notice("pod routes removed")
        }
        var logged: PodRoutes?
        // A change that cannot be made (a link down, no gateway) is retried every interval
        // but logged once until something else happens.
        var lastFailure: String?
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let target = PodRoutes.desired(nodes: store.cluster.state.nodes.values, me: nodeName, cluster: cluster, bridged: bridged)
            // What is in place, not what was done: a link that went down took its routes.
            let inPlace = Self.routesInPlace()
            if let inPlace, inPlace != target {
                for command in inPlace.commands(to: target) {
                    if let failure = Self.ip(command), failure != lastFailure {
                        logger.warning("pod route change failed", metadata: ["ip.args": "\(command.joined(separator: " "))", "error": "\(failure)"])
                        lastFailure = failure
                    }
                }
            }
            let now = inPlace == target ? target : Self.routesInPlace()
            if !bridged { local.set(now?.local == target.local ? target.local : nil) }
            if now == target, logged != target {
                logger.info("pod routes", metadata: ["routes.local": "\(target.local ?? "-")", "routes.remote": "\(target.remote.count)"])
                logged = target
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// This agent's routes as the kernel has them; nil when `ip` cannot list them.
    private static func routesInPlace() -> PodRoutes? {
        guard let main = output(PodRoutes.show[0]), let local = output(PodRoutes.show[1]) else { return nil }
        return PodRoutes.parse(main: main, local: local)
    }

    /// Runs `ip ARGS…`; nil on success, else what it said.
    private static func ip(_ arguments: [String]) -> String? {
        switch SystemCommand.run(ipPath, arguments) {
        case .success: nil
        case .failure(let failure): failure.reason
        }
    }

    /// What `ip ARGS…` printed, or nil when it failed.
    private static func output(_ arguments: [String]) -> String? {
        try? SystemCommand.run(ipPath, arguments).get()
    }

    private static let ipPath = SystemCommand.tool("/usr/sbin/ip", "/sbin/ip")
}
