import CoreMetrics
import NIOCore

/// One datagram, one answer, on the reading event loop, unless the client's netblock is past
/// its rate (``ResponseRateLimiter``): then nothing, or on a slip an empty truncated reply.
/// Answers are cached by the query's bytes after its ID while the data's generation stays
/// the same, so a repeated question costs a hash lookup and a copy instead of a decode, a
/// lookup and an encode.
final class UDPQueryHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let answer: DNSServer.Answer
    private var cache: AnswerCache
    private var tally: QueryTally
    private var limiter: ResponseRateLimiter
    private let defences: DNSDefences

    init(answer: @escaping DNSServer.Answer, generation: @escaping DNSServer.Generation, defences: DNSDefences) {
        self.answer = answer
        self.defences = defences
        cache = AnswerCache(generation: generation)
        tally = QueryTally(metrics: defences.metrics)
        limiter = ResponseRateLimiter(settings: defences.settings)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let start = ContinuousClock.now
        let envelope = unwrapInboundIn(data)
        let query = envelope.data.readableBytesView
        switch limiter.decide(for: envelope.remoteAddress, now: context.eventLoop.now.uptimeNanoseconds) {
        case .answer:
            break
        case .drop:
            defences.rateLimited(.drop, source: envelope.remoteAddress)
            return
        case .slip:
            defences.rateLimited(.slip, source: envelope.remoteAddress)
            if let reply = SlipReply.make(for: query) { send(reply, to: envelope.remoteAddress, context: context) }
            return
        }
        var computed = false
        let reply = cache.reply(to: query) {
            computed = true
            return answer(Array(query), false)
        }
        if !computed { tally.metrics.cacheHits.increment() }
        tally.record(query: query, reply: reply, since: start)
        guard let reply else { return }
        send(reply, to: envelope.remoteAddress, context: context)
    }

    private func send(_ reply: [UInt8], to client: SocketAddress, context: ChannelHandlerContext) {
        let buffer = context.channel.allocator.buffer(bytes: reply)
        context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: client, data: buffer)), promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    /// A failed send (an unreachable client) must not stop the socket.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {}
}
