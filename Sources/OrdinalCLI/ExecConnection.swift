import API
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// The client side of an exec over WebSocket `v5.channel.k8s.io`, the protocol kubectl
/// 1.30+ speaks: an HTTP upgrade to the pod's exec path on an agent (which forwards it to
/// the pod's agent), then one binary message per chunk, its first byte the channel.
struct ExecConnection {
    enum Outcome {
        case upgraded(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>)
        /// The agent answered without upgrading: its status and body (a Kubernetes `Status`).
        case refused(status: Int, body: String)
    }

    /// Opens the WebSocket for `path` (with its query) on `client`'s agent.
    static func open(_ client: APIClient, path: String, headers: [(String, String)]) async throws -> Outcome {
        var head = HTTPHeaders(headers)
        head.add(name: "Host", value: "\(client.host):\(client.port)")
        head.add(name: "Sec-WebSocket-Protocol", value: "v5.channel.k8s.io")
        let request = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: head)
        let upgrade = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: client.host, port: client.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let handler = try client.tlsHandler() { try channel.pipeline.syncOperations.addHandler(handler) }
                    let upgrader = NIOTypedWebSocketClientUpgrader<UpgradeResult>(maxFrameSize: 1 << 20) { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            .upgraded(try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(wrappingChannelSynchronously: channel))
                        }
                    }
                    let configuration = NIOTypedHTTPClientUpgradeConfiguration<UpgradeResult>(
                        upgradeRequestHead: request, upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in
                            channel.eventLoop.makeCompletedFuture { .notUpgraded }
                        }
                    )
                    // The agent may send the first output in the same segment as its `101`:
                    // NIO's default drops bytes left after the response head.
                    var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: configuration)
                    pipeline.leftOverBytesStrategy = .forwardBytes
                    return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: pipeline)
                }
            }
        if case .upgraded(let channel)? = try? await upgrade.get() { return .upgraded(channel) }
        // The agent answered without upgrading (NIO's upgrader fails on a non-101 and keeps
        // the body); ask again, with the same upgrade headers so the agent gives the same
        // answer, for its reason: a Kubernetes `Status`.
        let again = headers + [("Connection", "Upgrade"), ("Upgrade", "websocket"), ("Sec-WebSocket-Version", "13"),
                               ("Sec-WebSocket-Key", "b3JkaW5hbC1leGVjLWtleQ=="), ("Sec-WebSocket-Protocol", "v5.channel.k8s.io")]
        let response = try await client.send(.GET, path, headers: again, body: nil, timeout: .seconds(10))
        return .refused(status: response.status, body: response.text)
    }

    private enum UpgradeResult: Sendable {
        case upgraded(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>)
        case notUpgraded
    }
}
