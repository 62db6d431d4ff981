import NIOCore

/// Answers a TCP connection's queries in order, and bounds what its client can make us hold
/// (issue 26: a client pipelining queries without reading the answers drove an agent past
/// 1 GiB, because every answer was queued).
///
/// - Backpressure: while more than ``DNSServerSettings/pendingAnswerBytes`` of answers are
///   unsent, or ``DNSServerSettings/maxQueriesInFlight`` answers are, the socket is not read
///   (the `read` event is held); at the query cap the input already read waits too.
/// - Past ``DNSServerSettings/maxPendingAnswerBytes`` unsent, or not read for
///   ``DNSServerSettings/stallTimeout``, the connection is closed.
/// - A message must be whole within ``DNSServerSettings/messageDeadline`` of its first byte,
///   and a connection that sends nothing for ``DNSServerSettings/idleTimeout`` is closed.
/// - At most ``DNSServerSettings/tcpQueriesPerSecond`` queries a second are answered (a
///   token bucket of a second's burst); past it the connection waits, unread, for tokens.
///
/// An answer is unsent from its write until its write promise completes (the kernel took it).
final class TCPConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let answer: DNSServer.Answer
    private let defences: DNSDefences
    private let settings: DNSServerSettings
    private var tally: QueryTally
    private var received = ByteBuffer()
    private var unsentBytes = 0
    private var unsentAnswers = 0
    private var readHeld = false
    private var answering = false
    private var closing = false
    private var messageDeadline: Scheduled<Void>?
    private var stallDeadline: Scheduled<Void>?
    private var idleCheck: Scheduled<Void>?
    private var lastRead = NIODeadline.distantPast
    /// Queries that may be answered now, refilled at ``DNSServerSettings/tcpQueriesPerSecond``.
    private var tokens: Double
    private var refilled = NIODeadline.distantPast
    /// Out of tokens: a timer answers the rest once one has accrued.
    private var paced = false

    init(answer: @escaping DNSServer.Answer, defences: DNSDefences) {
        self.answer = answer
        self.defences = defences
        settings = defences.settings
        tally = QueryTally(metrics: defences.metrics)
        tokens = Double(settings.tcpQueriesPerSecond)
    }

    private var queriesCapped: Bool { unsentAnswers >= settings.maxQueriesInFlight }
    private var backpressured: Bool { queriesCapped || unsentBytes > settings.pendingAnswerBytes }
    private var readingPaused: Bool { backpressured || paced }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startIdleCheck(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        startIdleCheck(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastRead = context.eventLoop.now
        var bytes = unwrapInboundIn(data)
        received.writeBuffer(&bytes)
        answerReceived(context: context)
    }

    func read(context: ChannelHandlerContext) {
        if readingPaused {
            readHeld = true
        } else {
            context.read()
        }
    }

    /// Answers the whole messages received, as far as the query cap allows, then decides
    /// whether the socket may be read.
    private func answerReceived(context: ChannelHandlerContext) {
        guard !answering, !closing else { return }
        answering = true
        defer { answering = false }
        while !closing, !queriesCapped, !paced, DNSTCPFraming.hasMessage(in: received), takeToken(context: context),
              let query = DNSTCPFraming.nextMessage(from: &received) {
            messageDeadline?.cancel()
            messageDeadline = nil
            let start = ContinuousClock.now
            let reply = answer(query, true)
            tally.record(query: query, reply: reply, since: start)
            guard let reply, let framed = DNSTCPFraming.frame(reply, allocator: context.channel.allocator) else {
                close(context: context, reason: .malformed)
                return
            }
            send(framed, context: context)
            if unsentBytes > settings.maxPendingAnswerBytes {
                close(context: context, reason: .backlog)
                return
            }
        }
        guard !closing else { return }
        if received.readableBytes == 0 {
            received.clear()
        } else if received.readerIndex >= 16 << 10 {
            received.discardReadBytes()
        }
        // Only a message the client has yet to finish runs against the deadline, not one
        // held back by the query cap or the rate.
        if received.readableBytes > 0, !queriesCapped, !paced {
            if messageDeadline == nil {
                messageDeadline = schedule(after: settings.messageDeadline, context: context, reason: .deadline)
            }
        } else {
            messageDeadline?.cancel()
            messageDeadline = nil
        }
        updateReading(context: context)
    }

    private func send(_ framed: ByteBuffer, context: ChannelHandlerContext) {
        let size = framed.readableBytes
        unsentBytes += size
        unsentAnswers += 1
        let promise = context.eventLoop.makePromise(of: Void.self)
        promise.futureResult.assumeIsolated().whenComplete { _ in
            self.unsentBytes -= size
            self.unsentAnswers -= 1
            self.answerReceived(context: context)
        }
        context.writeAndFlush(wrapOutboundOut(framed), promise: promise)
    }

    /// Reads again (a held `read`) once the answers have drained below the bounds and the
    /// rate allows; while the answers have not drained, the stall timer runs.
    private func updateReading(context: ChannelHandlerContext) {
        if backpressured {
            if stallDeadline == nil {
                stallDeadline = schedule(after: settings.stallTimeout, context: context, reason: .stalled)
            }
            return
        }
        stallDeadline?.cancel()
        stallDeadline = nil
        if !paced, readHeld {
            readHeld = false
            context.read()
        }
    }

    /// Takes a token for one query, or, with none left, sets a timer for when one accrues
    /// (the connection is not read meanwhile).
    private func takeToken(context: ChannelHandlerContext) -> Bool {
        let rate = Double(settings.tcpQueriesPerSecond)
        guard rate > 0 else { return true }
        let now = context.eventLoop.now
        if now > refilled {
            tokens = min(rate, tokens + Double((now - refilled).nanoseconds) * rate / 1e9)
            refilled = now
        }
        if tokens >= 1 {
            tokens -= 1
            return true
        }
        paced = true
        let wait = TimeAmount.nanoseconds(max(1_000_000, Int64((1 - tokens) / rate * 1e9)))
        context.eventLoop.assumeIsolated().scheduleTask(in: wait) {
            self.paced = false
            self.answerReceived(context: context)
        }
        return false
    }

    private func startIdleCheck(context: ChannelHandlerContext) {
        guard idleCheck == nil else { return }
        lastRead = context.eventLoop.now
        checkIdle(after: TimeAmount(settings.idleTimeout), context: context)
    }

    /// Closes the connection once nothing was read for the idle timeout: one timer per
    /// timeout, moved on by what was read meanwhile, rather than one per read.
    private func checkIdle(after delay: TimeAmount, context: ChannelHandlerContext) {
        idleCheck = context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
            let timeout = TimeAmount(self.settings.idleTimeout)
            let quiet = context.eventLoop.now - self.lastRead
            if quiet >= timeout {
                self.close(context: context, reason: .idle)
            } else {
                self.checkIdle(after: timeout - quiet, context: context)
            }
        }
    }

    private func schedule(after delay: Duration, context: ChannelHandlerContext, reason: TCPClosure) -> Scheduled<Void> {
        context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(delay)) {
            self.close(context: context, reason: reason)
        }
    }

    private func close(context: ChannelHandlerContext, reason: TCPClosure) {
        guard !closing else { return }
        closing = true
        cancelTimers()
        defences.closed(context.channel, reason: reason)
        context.close(promise: nil)
    }

    private func cancelTimers() {
        messageDeadline?.cancel()
        messageDeadline = nil
        stallDeadline?.cancel()
        stallDeadline = nil
        idleCheck?.cancel()
        idleCheck = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        closing = true
        cancelTimers()
        context.fireChannelInactive()
    }

    /// A reset or a failed write: the connection is gone; nothing to count.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        closing = true
        cancelTimers()
        context.close(promise: nil)
    }
}
