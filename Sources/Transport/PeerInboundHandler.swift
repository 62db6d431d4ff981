import NIOCore
import Wire

/// The end of an inbound connection's pipeline: opens each frame body with the codec and
/// hands the messages of one socket read over together, on the event loop, with no task in
/// between (one hand-over per read, not per message).
///
/// The first frame that does not open or parse (and any framing error from upstream)
/// rejects the connection: it is reported once, closed, and nothing more from it is read.
final class PeerInboundHandler: ChannelInboundHandler {
    typealias InboundIn = [UInt8]

    private let codec: Wire.PeerCodec
    private let accept: @Sendable ([Wire.PeerMessage]) -> Void
    private let reject: @Sendable (_ remote: String, _ error: any Error) -> Void
    private var rejected = false
    /// Decoded since the last `channelReadComplete`.
    private var pending: [Wire.PeerMessage] = []

    init(
        codec: Wire.PeerCodec,
        accept: @escaping @Sendable ([Wire.PeerMessage]) -> Void,
        reject: @escaping @Sendable (_ remote: String, _ error: any Error) -> Void
    ) {
        self.codec = codec
        self.accept = accept
        self.reject = reject
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !rejected else { return }
        do {
            pending.append(try codec.decodeBody(unwrapInboundIn(data)))
        } catch {
            fail(context: context, error: error)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending.removeAll(keepingCapacity: true)
        accept(batch)
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
