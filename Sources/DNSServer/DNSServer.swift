package import Basics
package import Logging
import CoreMetrics
import Telemetry
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Serves DNS over UDP and TCP on one address (`--dns`, default port 7453) around a pure
/// answer function: bytes in, bytes out. UDP queries are answered on the event loop that
/// read them, with no task hop, which is what keeps up with `dnsperf`; TCP connections carry
/// length-prefixed messages (RFC 1035 §4.2.2) and close after 10 s without a query.
package final class DNSServer: Service, Sendable {
    /// Answers one query; `overTCP` lifts the size limit. Nil drops the query.
    package typealias Answer = @Sendable (_ query: [UInt8], _ overTCP: Bool) -> [UInt8]?

    /// The generation of the data answers come from: answers are cached until it changes.
    package typealias Generation = @Sendable () -> UInt64

    static let queriesPerRead = 16

    package let endpoint: Endpoint
    private let answer: Answer
    private let generation: Generation
    private let metrics: DNSMetrics
    private let logger: Logger

    package init(endpoint: Endpoint, logger: Logger, metrics: DNSMetrics, generation: @escaping Generation, answer: @escaping Answer) {
        self.endpoint = endpoint
        self.metrics = metrics
        self.answer = answer
        self.generation = generation
        self.logger = logger
    }

    package func run() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let answer = self.answer
        let generation = self.generation
        let metrics = self.metrics
        let udp = try await DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
            // recvmmsg: up to 16 queries per read; the buffer is split between them, so it is
            // sized for 16 datagrams of up to 4 KiB (a query is far smaller).
            .channelOption(.datagramVectorReadMessageCount, value: Self.queriesPerRead)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: Self.queriesPerRead * 4096))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(UDPQueryHandler(answer: answer, generation: generation, metrics: metrics))
                }
            }
            .bind(host: endpoint.host, port: Int(endpoint.port)).get()
        let tcp: any Channel
        do {
            tcp = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers([
                            IdleStateHandler(readTimeout: .seconds(10)),
                            ByteToMessageHandler(TCPQueryDecoder()),
                            TCPQueryHandler(answer: answer, metrics: metrics),
                        ])
                    }
                }
                .bind(host: endpoint.host, port: Int(endpoint.port)).get()
        } catch {
            try? await udp.close()
            throw error
        }
        logger.info("dns listening", metadata: ["dns.bind": "\(endpoint)"])
        await withGracefulShutdownHandler { () async -> Void in
            try? await udp.closeFuture.get()
        } onGracefulShutdown: {
            udp.close(promise: nil)
            tcp.close(promise: nil)
        }
        try? await tcp.close()
    }
}

/// One datagram, one answer, on the reading event loop. Answers are cached by the query's
/// bytes after its ID while the data's generation stays the same, so a repeated question
/// costs a hash lookup and a copy instead of a decode, a lookup and an encode.
final class UDPQueryHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let answer: DNSServer.Answer
    private var cache: AnswerCache
    private var tally: QueryTally

    init(answer: @escaping DNSServer.Answer, generation: @escaping DNSServer.Generation, metrics: DNSMetrics) {
        self.answer = answer
        cache = AnswerCache(generation: generation)
        tally = QueryTally(metrics: metrics)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let start = ContinuousClock.now
        let envelope = unwrapInboundIn(data)
        let query = envelope.data.readableBytesView
        var computed = false
        let reply = cache.reply(to: query) {
            computed = true
            return answer(Array(query), false)
        }
        if !computed { tally.metrics.cacheHits.increment() }
        tally.record(query: query, reply: reply, since: start)
        guard let reply else { return }
        let buffer = context.channel.allocator.buffer(bytes: reply)
        context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: buffer)), promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    /// A failed send (an unreachable client) must not stop the socket.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {}
}

/// Splits a TCP stream into DNS messages: a 2-byte big-endian length, then the message.
struct TCPQueryDecoder: ByteToMessageDecoder {
    typealias InboundOut = [UInt8]

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
              buffer.readableBytes >= 2 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 2)
        guard let message = buffer.readBytes(length: Int(length)) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(message))
        return .continue
    }
}

/// Answers each framed query on its connection, in order; closes an idle connection.
final class TCPQueryHandler: ChannelInboundHandler {
    typealias InboundIn = [UInt8]
    typealias OutboundOut = ByteBuffer

    private let answer: DNSServer.Answer
    private var tally: QueryTally

    init(answer: @escaping DNSServer.Answer, metrics: DNSMetrics) {
        self.answer = answer
        tally = QueryTally(metrics: metrics)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let start = ContinuousClock.now
        let query = unwrapInboundIn(data)
        let answered = answer(query, true)
        tally.record(query: query, reply: answered, since: start)
        guard let reply = answered, reply.count <= Int(UInt16.max) else {
            context.close(promise: nil)
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: reply.count + 2)
        buffer.writeInteger(UInt16(reply.count))
        buffer.writeBytes(reply)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
