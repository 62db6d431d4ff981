import NIOCore
import PeerMessages
import Wire

/// Splits a TCP byte stream into frame bodies with ``Wire/FrameDecoder``, the one framing
/// implementation, which the wire tests fuzz.
///
/// A frame error (a zero length, or a length over the bound) is thrown, NIO closes the
/// connection, and nothing of the frame reaches the agent.
struct FrameDecoderHandler: ByteToMessageDecoder {
    typealias InboundOut = [UInt8]

    private var frames: Wire.FrameDecoder
    private let maxFrameBytes: Int
    private let trust: ConnectionTrust?

    /// - Parameters:
    ///   - firstFrameBytes: the bound until `trust` says a frame opened and parsed (nil:
    ///     `maxFrameBytes` from the start).
    init(maxFrameBytes: Int, firstFrameBytes: Int? = nil, trust: ConnectionTrust? = nil) {
        self.maxFrameBytes = maxFrameBytes
        self.trust = trust
        frames = Wire.FrameDecoder(maxFrameBytes: min(firstFrameBytes ?? maxFrameBytes, maxFrameBytes))
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if buffer.readableBytes > 0 {
            frames.append(buffer.readableBytesView)
            buffer.moveReaderIndex(to: buffer.writerIndex)
        }
        // Every buffered frame goes out now: the input is consumed whole, so NIO will not
        // call again until more bytes arrive. The handler after this one decides, per frame,
        // whether the connection has proven itself; from then on full-size frames pass.
        while true {
            if trust?.proven == true, frames.maxFrameBytes < maxFrameBytes { frames.raiseLimit(to: maxFrameBytes) }
            guard let body = try frames.nextFrame() else { break }
            context.fireChannelRead(wrapInboundOut(body))
        }
        return .needMoreData
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}

/// Whether an inbound connection has delivered a frame that opened and parsed, shared by
/// its pipeline's handlers on the connection's event loop.
final class ConnectionTrust {
    private(set) var proven = false
    /// Told once, when the connection proves itself (it leaves the unproven slots).
    private let onProven: () -> Void

    init(onProven: @escaping () -> Void = {}) {
        self.onProven = onProven
    }

    func prove() {
        guard !proven else { return }
        proven = true
        onProven()
    }
}
