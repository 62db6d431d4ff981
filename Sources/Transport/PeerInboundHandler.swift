import NIOCore
import PeerMessages
import Wire

/// The end of an inbound connection's pipeline: opens each frame body with the codec and
/// hands the messages of one socket read over together, on the event loop, with no task in
/// between (one hand-over per read, not per message).
///
/// The first frame that does not open or parse (and any framing error from upstream)
/// rejects the connection: it is reported once, closed, and nothing more from it is read.
/// A sealed frame must name this connection's local address as its recipient.
final class PeerInboundHandler: ChannelInboundHandler {
    typealias InboundIn = [UInt8]

    private let codec: Wire.PeerCodec
    private let accept: @Sendable (_ messages: [Wire.PeerMessage], _ bytes: Int) -> Void
    private let reject: @Sendable (_ remote: String, _ error: any Error) -> Void
    private var rejected = false
    /// Decoded since the last `channelReadComplete`.
    private var pending: [Wire.PeerMessage] = []
    private var pendingBytes = 0
    private let firstFrameTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    /// Set once a frame opened and parsed: the peer holds the key.
    private let trust: ConnectionTrust
    private var proven: Bool { trust.proven }
    private var lastRead = NIODeadline.now()
    /// This end of the connection as sealed frames name it (read once).
    private var local: String?
    private var timer: Scheduled<Void>?

    init(
        codec: Wire.PeerCodec,
        trust: ConnectionTrust = ConnectionTrust(),
        firstFrameTimeout: TimeAmount = .seconds(5),
        idleTimeout: TimeAmount = .seconds(60),
        accept: @escaping @Sendable (_ messages: [Wire.PeerMessage], _ bytes: Int) -> Void,
        reject: @escaping @Sendable (_ remote: String, _ error: any Error) -> Void
    ) {
        self.codec = codec
        self.trust = trust
        self.firstFrameTimeout = firstFrameTimeout
        self.idleTimeout = idleTimeout
        self.accept = accept
        self.reject = reject
    }

    func handlerAdded(context: ChannelHandlerContext) {
        arm(context: context, in: firstFrameTimeout)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
    }

    /// Closes the connection when it has not proven itself by the first deadline, or has
    /// been silent for the idle timeout since; re-arms otherwise.
    private func arm(context: ChannelHandlerContext, in delay: TimeAmount) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: delay) {
            let (handler, context) = loopBound.value
            guard !handler.rejected else { return }
            if !handler.proven {
                handler.fail(context: context, error: InboundTimeout.noFirstFrame)
                return
            }
            let silent = NIODeadline.now() - handler.lastRead
            if silent >= handler.idleTimeout {
                handler.fail(context: context, error: InboundTimeout.idle)
            } else {
                handler.arm(context: context, in: handler.idleTimeout - silent)
            }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !rejected else { return }
        do {
            let body = unwrapInboundIn(data)
            // Not an IP socket (a test's channel): empty, which no sealed frame names.
            if local == nil { local = SealedAddress.text(of: context.channel.localAddress) ?? "" }
            let message = try codec.decodeBody(body, receivedAt: local ?? "")
            pendingBytes += body.count
            trust.prove()
            lastRead = .now()
            if message.isGreeting { return }  // the transport's greeting; nothing for the agent
            pending.append(message)
        } catch {
            fail(context: context, error: error)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending.removeAll(keepingCapacity: true)
        accept(batch, pendingBytes)
        pendingBytes = 0
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !rejected else { return }
        fail(context: context, error: error)
    }

    /// Messages decoded before the bad frame still count: each was whole and opened.
    private func fail(context: ChannelHandlerContext, error: any Error) {
        channelReadComplete(context: context)
        rejected = true
        reject(context.channel.remoteAddress?.ipAddress ?? "unknown", error)
        context.close(promise: nil)
    }
}

/// Why an inbound connection was closed without a bad frame.
enum InboundTimeout: Error, CustomStringConvertible {
    /// No frame opened and parsed in time after the connection was accepted.
    case noFirstFrame
    /// Nothing arrived for the idle timeout.
    case idle

    var description: String {
        switch self {
        case .noFirstFrame: "no valid frame within the first-frame timeout"
        case .idle: "idle past the idle timeout"
        }
    }
}
