import Logging
import NIOCore
import NIOWebSocket
import RemoteCommand

/// The upgraded WebSocket connection of one exec (`v5.channel.k8s.io`, kubectl ≥ 1.30):
/// starts the command at once, relays channel messages, answers pings, and ends with the
/// status on channel 3 followed by a close frame with code 1000.
/// Expects `NIOWebSocketFrameAggregator` before it (bounded), so data messages arrive whole.
final class WebSocketExecHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// How long to wait for the client's close frame after ours.
    static let closeTimeout = TimeAmount.seconds(10)

    private var session: WebSocketExecSession
    private let launch: ExecLaunch
    private let logger: Logger
    private var run = ExecRun()
    private var sentClose = false
    private var closed = false
    private var timer: Scheduled<Void>?

    init(request: ExecRequest, protocol version: RemoteCommandProtocol, launch: ExecLaunch, logger: Logger) {
        session = WebSocketExecSession(request: request, protocol: version)
        self.launch = launch
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        if let failure = run.start(session.request, launch: launch, channel: context.channel, deliver: { event in
            loopBound.value.handler.processEvent(event, context: loopBound.value.context)
        }) {
            finish(failure, context: context)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .binary:
            var payload = frame.unmaskedData
            for event in session.receive(payload.readBytes(length: payload.readableBytes) ?? []) {
                run.apply(event, channel: context.channel)
            }
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            if sentClose {
                context.close(promise: nil)
            } else {
                // The client closed first (it was interrupted): echo the close and stop.
                run.abandon()
                sendClose(context: context, code: .normalClosure)
            }
        default:
            break  // text, pong: nothing to do
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        timer?.cancel()
        if !session.finished { run.abandon() }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func processEvent(_ event: ExecProcess.Event, context: ChannelHandlerContext) {
        switch event {
        case .stdout(let bytes, let credit), .stderr(let bytes, let credit):
            guard !closed, !sentClose else { return credit.give() }
            let role: ExecStreamRole = if case .stdout = event { .stdout } else { .stderr }
            let messages = session.output(bytes, on: role)
            messages.dropLast().forEach { send($0, context: context) }
            if let last = messages.last { send(last, context: context, credit: credit) } else { credit.give() }
        default:
            break
        }
        guard !closed else { return }
        if let outcome = run.record(event) {
            finish(outcome, context: context)
        }
        context.flush()
    }

    private func finish(_ outcome: ExecOutcome, context: ChannelHandlerContext) {
        session.finish(outcome).forEach { send($0, context: context) }
        sendClose(context: context, code: .normalClosure)
    }

    private func sendClose(context: ChannelHandlerContext, code: WebSocketErrorCode) {
        guard !sentClose else { return }
        sentClose = true
        var data = context.channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: code)
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)), promise: nil)
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: Self.closeTimeout) {
            context.close(promise: nil)
        }
    }

    private func send(_ message: [UInt8], context: ChannelHandlerContext, credit: ExecOutputCredit? = nil) {
        let frame = WebSocketFrame(fin: true, opcode: .binary, data: context.channel.allocator.buffer(bytes: message))
        let written = context.write(wrapOutboundOut(frame))
        if let credit { written.whenComplete { _ in credit.give() } }
    }
}
