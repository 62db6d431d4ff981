import Crypto
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOWebSocket
import RemoteCommand

/// One connection's upgrader for `SPDY/3.1` or `websocket`. `buildUpgradeResponse` checks
/// the request (``ExecService/check``), then either accepts it here or completes the
/// handshake with the hosting agent first (``ExecForwarder``) and answers with its headers;
/// `upgrade` installs the exec handlers or splices the two connections. Any failure leaves
/// the request to the HTTP path, which answers why (``ExecHTTPChannel``).
final class ExecUpgrader: NIOTypedHTTPServerProtocolUpgrader, Sendable {
    typealias UpgradeResult = ExecConnection

    enum Kind: Sendable { case spdy, webSocket }
    enum Decision {
        case local(ExecRequest, RemoteCommandProtocol, ExecLaunch)
        case forward(ExecForwarder.Handshaken)
    }

    let kind: Kind
    let service: ExecService
    /// The request this connection's upgraders refused, shared with the channel's
    /// not-upgrading path, which must answer it: NIO hands a refused upgrade request to
    /// nobody.
    let refused: NIOLoopBoundBox<HTTPRequestHead?>
    /// Set by `buildUpgradeResponse`, used by `upgrade`, on the connection's loop.
    private let decision: NIOLoopBoundBox<Decision?>

    var supportedProtocol: String { kind == .spdy ? "SPDY/3.1" : "websocket" }
    /// None: NIO would also require them in `Connection`; the key and version are checked below.
    var requiredUpgradeHeaders: [String] { [] }

    init(kind: Kind, service: ExecService, refused: NIOLoopBoundBox<HTTPRequestHead?>, eventLoop: any EventLoop) {
        self.kind = kind
        self.service = service
        self.refused = refused
        self.decision = NIOLoopBoundBox(nil, eventLoop: eventLoop)
    }

    struct NotUpgradable: Error {}

    func buildUpgradeResponse(channel: any Channel, upgradeRequest head: HTTPRequestHead, initialResponseHeaders: HTTPHeaders) -> EventLoopFuture<HTTPHeaders> {
        let refused = self.refused
        return decide(channel: channel, head: head, initialResponseHeaders: initialResponseHeaders).flatMapErrorThrowing { error in
            refused.value = head
            throw error
        }
    }

    private func decide(channel: any Channel, head: HTTPRequestHead, initialResponseHeaders: HTTPHeaders) -> EventLoopFuture<HTTPHeaders> {
        let forwarded = !head.headers[ExecService.forwardedHeader].isEmpty
        guard case .success(let (request, target)) = service.check(
            method: head.method, uri: head.uri, authorization: head.headers["Authorization"].first, forwarded: forwarded
        ) else { return channel.eventLoop.makeFailedFuture(NotUpgradable()) }
        switch target {
        case .refused:
            return channel.eventLoop.makeFailedFuture(NotUpgradable())
        case .remote(let address):
            let forwarder = ExecForwarder(tls: service.peerTLS, token: service.token)
            return forwarder.handshake(head, to: address, on: channel.eventLoop).map { handshaken in
                self.decision.value = .forward(handshaken)
                var headers = initialResponseHeaders
                for (name, value) in handshaken.headers where !["upgrade", "connection", "content-length"].contains(name.lowercased()) {
                    headers.add(name: name, value: value)
                }
                return headers
            }
        case .local(let launch):
            var headers = initialResponseHeaders
            switch kind {
            case .spdy:
                guard let version = RemoteCommandProtocol.negotiate(
                    offered: head.headers["X-Stream-Protocol-Version"], accepted: RemoteCommandProtocol.spdyServerProtocols
                ) else { return channel.eventLoop.makeFailedFuture(NotUpgradable()) }
                headers.add(name: "X-Stream-Protocol-Version", value: version.rawValue)
                decision.value = .local(request, version, launch)
            case .webSocket:
                guard let key = head.headers["Sec-WebSocket-Key"].first, head.headers["Sec-WebSocket-Version"].first == "13",
                      let version = RemoteCommandProtocol.negotiate(
                        offered: head.headers["Sec-WebSocket-Protocol"], accepted: RemoteCommandProtocol.webSocketServerProtocols)
                else { return channel.eventLoop.makeFailedFuture(NotUpgradable()) }
                headers.add(name: "Sec-WebSocket-Accept", value: Self.acceptValue(key))
                headers.add(name: "Sec-WebSocket-Protocol", value: version.rawValue)
                decision.value = .local(request, version, launch)
            }
            return channel.eventLoop.makeSucceededFuture(headers)
        }
    }

    func upgrade(channel: any Channel, upgradeRequest: HTTPRequestHead) -> EventLoopFuture<ExecConnection> {
        channel.eventLoop.makeCompletedFuture {
            let pipeline = channel.pipeline.syncOperations
            switch decision.value {
            case .none:
                throw NotUpgradable()
            case .forward(let handshaken):
                try ExecSplice.join(client: channel, agent: handshaken.channel)
            case .local(let request, let version, let launch):
                service.logger.info("exec", metadata: [
                    "pod": "\(request.namespace)/\(request.pod)", "protocol": "\(version.rawValue)", "tty": "\(request.tty)",
                ])
                switch kind {
                case .spdy:
                    try pipeline.addHandler(SPDYExecHandler(request: request, protocol: version, launch: launch, logger: service.logger))
                case .webSocket:
                    try pipeline.addHandlers([
                        ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 1 << 20)),
                        WebSocketFrameEncoder(),
                        WebSocketProtocolErrorHandler(),
                        NIOWebSocketFrameAggregator(minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 256, maxAccumulatedFrameSize: 1 << 20),
                        WebSocketExecHandler(request: request, protocol: version, launch: launch, logger: service.logger),
                    ])
                }
            }
            return .upgraded
        }
    }

    /// RFC 6455 §4.2.2: base64(SHA-1(key + GUID)).
    static func acceptValue(_ key: String) -> String {
        let digest = Insecure.SHA1.hash(data: Data((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))
        return Data(digest).base64EncodedString()
    }
}
