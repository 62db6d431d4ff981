public import HummingbirdCore
public import Logging
public import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// The API's HTTP/1.1 child channel with `kubectl exec`'s upgrades: NIO's typed upgrade
/// handler first, with an ``ExecUpgrader`` for `SPDY/3.1` and one for `websocket`; every
/// request that is not upgraded goes on to Hummingbird exactly as `HTTP1Channel` would serve
/// it (the pattern of hummingbird-websocket's `HTTP1WebSocketUpgradeChannel`). TLS wraps it
/// like any child channel (`HTTPServerBuilder.tls`).
public struct ExecHTTPChannel: ServerChildChannel, HTTPChannelHandler {
    public struct Value: ServerChildChannelValue {
        let connection: EventLoopFuture<ExecConnection>
        public let channel: any Channel
    }

    public let responder: HTTPChannelHandler.Responder
    let configuration: HTTP1Channel.Configuration
    let deadlines: RequestDeadlines
    let service: ExecService

    public init(responder: @escaping HTTPChannelHandler.Responder, configuration: HTTP1Channel.Configuration, deadlines: RequestDeadlines, service: ExecService) {
        self.configuration = configuration
        self.deadlines = deadlines
        self.service = service
        self.responder = ExecFailedUpgrade.wrap(responder, service: service)
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let refused = NIOLoopBoundBox<HTTPRequestHead?>(nil, eventLoop: channel.eventLoop)
            let upgraders: [any NIOTypedHTTPServerProtocolUpgrader<ExecConnection>] = [
                ExecUpgrader(kind: .spdy, service: service, refused: refused, eventLoop: channel.eventLoop),
                ExecUpgrader(kind: .webSocket, service: service, refused: refused, eventLoop: channel.eventLoop),
            ]
            let service = self.service
            let configuration = self.configuration
            let deadlines = self.deadlines
            // Before the HTTP decoder (and behind TLS): sees when a request's bytes begin.
            try channel.pipeline.syncOperations.addHandler(RequestClockHandler(deadlines: deadlines))
            let upgrade = NIOTypedHTTPServerUpgradeConfiguration<ExecConnection>(
                upgraders: upgraders,
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        // An exec upgrade that was refused: NIO does not pass its request on,
                        // so it is answered here (401, 404, 502, …) and the connection closed.
                        if let head = refused.value { ExecFailedUpgrade.answer(head, service: service, on: channel) }
                        let sync = channel.pipeline.syncOperations
                        try sync.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                        try sync.addHandler(RequestPhaseHandler())
                        try sync.addHandlers(configuration.additionalChannelHandlers())
                        try sync.addHandler(HTTPConnectionStateHandler(idleTimeout: configuration.idleTimeout.map { .init($0) }, logger: logger))
                        return .http(try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true)))
                    }
                }
            )
            var pipeline = NIOUpgradableHTTPServerPipelineConfiguration<ExecConnection>(upgradeConfiguration: upgrade)
            pipeline.enablePipelining = false
            // A request head past the limits gets a 400 before the connection closes (NIO removes
            // this handler with the other HTTP handlers when a connection upgrades).
            pipeline.enableErrorHandling = true
            pipeline.enableResponseHeaderValidation = false
            pipeline.decoderConfiguration.maxHeaderFieldSize = configuration.httpDecoder.maxHeaderFieldSize
            pipeline.decoderConfiguration.maxHeaderListSize = configuration.httpDecoder.maxHeaderListSize
            pipeline.decoderConfiguration.maxHeaderFieldCount = configuration.httpDecoder.maxHeaderFieldCount
            let connection = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: pipeline)
            // Until the first request decides what the connection is (the TLS handshake
            // included), nothing else times it out.
            let deadline = channel.eventLoop.scheduleTask(in: deadlines.firstRequest) {
                deadlines.expired("first_request")
                channel.close(promise: nil)
            }
            connection.whenComplete { _ in deadline.cancel() }
            return Value(connection: connection, channel: channel)
        }
    }

    public func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.connection.get() {
            case .upgraded:
                try await value.channel.closeFuture.get()
            case .http(let http):
                await handleHTTP(asyncChannel: http, logger: logger)
            }
        } catch {
            logger.debug("exec channel ended", metadata: ["error": "\(error)"])
            try? await value.channel.close()
        }
    }
}

/// What a connection became: upgraded (the exec handlers own it until it closes), or plain
/// HTTP for Hummingbird.
enum ExecConnection: Sendable {
    case upgraded
    case http(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
}
