import Logging
import NIOCore
import RemoteCommand

/// The upgraded SPDY/3.1 connection of one exec: decodes frames (bounded by
/// ``SPDYFrameDecoder``), drives `SPDYExecSession`, runs the command once all streams
/// exist, and writes output and the final status. Any protocol error closes the connection.
final class SPDYExecHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The kubelet's default `streamCreationTimeout`.
    static let streamCreationTimeout = TimeAmount.seconds(30)
    /// After the status is sent the client hangs up; close anyway if it does not.
    static let lingerAfterFinish = TimeAmount.seconds(10)

    private var decoder: SPDYFrameDecoder
    private let encoder: SPDYFrameEncoder
    private var session: SPDYExecSession
    private let launch: ExecLaunch
    private let logger: Logger
    private var run = ExecRun()
    private var timer: Scheduled<Void>?
    private var closed = false

    init(request: ExecRequest, protocol version: RemoteCommandProtocol, launch: ExecLaunch, logger: Logger) throws {
        decoder = try SPDYFrameDecoder()
        encoder = try SPDYFrameEncoder()
        session = SPDYExecSession(request: request, protocol: version)
        self.launch = launch
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: Self.streamCreationTimeout) {
            guard !self.session.started else { return }
            self.logger.info("exec: timed out waiting for SPDY streams")
            self.shutdown(context: context, goAwayStatus: 0)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        guard !closed else { return }
        decoder.append(buffer.readBytes(length: buffer.readableBytes) ?? [])
        do {
            while !closed, let frame = try decoder.nextFrame() {
                handle(frame, context: context)
            }
        } catch {
            logger.info("exec: SPDY protocol error, closing", metadata: ["error": "\(error)"])
            shutdown(context: context, goAwayStatus: 1)
        }
        context.flush()
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

    private func handle(_ frame: SPDYFrame, context: ChannelHandlerContext) {
        let (replies, events) = session.receive(frame)
        replies.forEach { write($0, context: context) }
        for event in events {
            switch event {
            case .start:
                startCommand(context: context)
            case .abort(let why):
                logger.info("exec: SPDY session aborted", metadata: ["reason": "\(why)"])
                run.abandon()
                shutdown(context: context, goAwayStatus: 0)
            default:
                run.apply(event, channel: context.channel)
            }
        }
    }

    private func startCommand(context: ChannelHandlerContext) {
        timer?.cancel()
        let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        if let failure = run.start(session.request, launch: launch, channel: context.channel, deliver: { event in
            loopBound.value.handler.processEvent(event, context: loopBound.value.context)
        }) {
            finish(failure, context: context)
        }
    }

    private func processEvent(_ event: ExecProcess.Event, context: ChannelHandlerContext) {
        switch event {
        case .stdout(let bytes, let credit), .stderr(let bytes, let credit):
            guard !closed else { return credit.give() }
            let role: ExecStreamRole = if case .stdout = event { .stdout } else { .stderr }
            let frames = session.output(bytes, on: role)
            frames.dropLast().forEach { write($0, context: context) }
            if let last = frames.last { write(last, context: context, credit: credit) } else { credit.give() }
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
        session.finish(outcome).forEach { write($0, context: context) }
        context.flush()
        // The client closes the connection once it has read the error stream to EOF.
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: Self.lingerAfterFinish) {
            self.shutdown(context: context, goAwayStatus: 0)
        }
    }

    private func shutdown(context: ChannelHandlerContext, goAwayStatus: UInt32) {
        guard !closed else { return }
        closed = true
        guard let bytes = try? encoder.encode(.goAway(lastGoodStreamID: 0, status: goAwayStatus)) else {
            context.close(promise: nil)
            return
        }
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)))
            .assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    private func write(_ frame: SPDYFrame, context: ChannelHandlerContext, credit: ExecOutputCredit? = nil) {
        guard let bytes = try? encoder.encode(frame) else {
            credit?.give()
            return
        }
        let written = context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)))
        if let credit { written.whenComplete { _ in credit.give() } }
    }
}
