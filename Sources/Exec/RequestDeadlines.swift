public import NIOCore
package import NIOHTTPTypes

/// How long an API connection may take over each part of a request, as Go's `http.Server`
/// bounds them (`ReadHeaderTimeout`, `ReadTimeout`; the idle timeout is Hummingbird's): a
/// client that trickles a head or a body one byte at a time cannot hold a connection, and
/// with it a descriptor, for longer than these.
public struct RequestDeadlines: Sendable {
    /// From accepting a connection to its whole first request head (the TLS handshake
    /// included): until then nothing else times the connection out.
    public var firstRequest: TimeAmount = .seconds(20)
    /// From the first byte of a later request to its whole head.
    public var head: TimeAmount = .seconds(10)
    /// From a request's head to the end of its body (bodies are at most 4 MiB).
    public var body: TimeAmount = .seconds(60)
    /// Told why a connection was closed (`first_request`, `head` or `body`), for a metric.
    public var expired: @Sendable (_ part: String) -> Void = { _ in }

    public init() {}
}

/// The byte side of ``RequestDeadlines``: the first bytes of a request that arrive while the
/// connection waits between requests start the head's clock. It sits before the HTTP decoder,
/// which cannot say when a head began, only when it ended; ``RequestPhaseHandler`` behind the
/// decoder tells it that, and when the body and the response ended.
///
/// A connection starts ``Phase/undecided``: its first request is timed by
/// ``RequestDeadlines/firstRequest``, and a connection upgraded for `exec` stays undecided,
/// so its streams are never cut by these deadlines.
package final class RequestClockHandler: ChannelInboundHandler, RemovableChannelHandler {
    package typealias InboundIn = ByteBuffer
    package typealias InboundOut = ByteBuffer

    enum Phase {
        case undecided
        case betweenRequests
        case readingHead
        case readingBody
        case serving
    }

    private let deadlines: RequestDeadlines
    private(set) var phase = Phase.undecided
    private var timer: Scheduled<Void>?

    package init(deadlines: RequestDeadlines) {
        self.deadlines = deadlines
    }

    package func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .betweenRequests = phase {
            phase = .readingHead
            arm(deadlines.head, part: "head", context: context)
        }
        context.fireChannelRead(data)
    }

    /// A whole head was decoded: the body's clock starts.
    func headEnded(context: ChannelHandlerContext) {
        phase = .readingBody
        arm(deadlines.body, part: "body", context: context)
    }

    /// The request's body ended: the response may take as long as it needs (a watch).
    func bodyEnded() {
        phase = .serving
        timer?.cancel()
        timer = nil
    }

    /// The response ended: the next request's first byte starts its head's clock.
    func responseEnded() {
        phase = .betweenRequests
    }

    private func arm(_ delay: TimeAmount, part: String, context: ChannelHandlerContext) {
        timer?.cancel()
        let channel = context.channel
        let expired = deadlines.expired
        timer = context.eventLoop.scheduleTask(in: delay) {
            expired(part)
            channel.close(promise: nil)
        }
    }
}

/// The message side of ``RequestDeadlines``, behind the HTTP codec: tells the connection's
/// ``RequestClockHandler`` where each request and response begins and ends.
package final class RequestPhaseHandler: ChannelDuplexHandler, RemovableChannelHandler {
    package typealias InboundIn = HTTPRequestPart
    package typealias InboundOut = HTTPRequestPart
    package typealias OutboundIn = HTTPResponsePart
    package typealias OutboundOut = HTTPResponsePart

    package init() {}

    private var clock: RequestClockHandler?
    private var clockContext: ChannelHandlerContext?

    package func handlerAdded(context: ChannelHandlerContext) {
        clock = try? context.pipeline.syncOperations.handler(type: RequestClockHandler.self)
        clockContext = try? context.pipeline.syncOperations.context(handlerType: RequestClockHandler.self)
    }

    package func handlerRemoved(context: ChannelHandlerContext) {
        clock = nil
        clockContext = nil
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: if let clock, let clockContext { clock.headEnded(context: clockContext) }
        case .body: break
        case .end: clock?.bodyEnded()
        }
        context.fireChannelRead(data)
    }

    package func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { clock?.responseEnded() }
        context.write(data, promise: promise)
    }
}
