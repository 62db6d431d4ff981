import NIOCore
import Wire

/// Splits a TCP byte stream into frame bodies with ``Wire/FrameDecoder``, the one framing
/// implementation, which the wire tests fuzz.
///
/// A frame error (a zero length, or a length over the bound) is thrown, NIO closes the
/// connection, and nothing of the frame reaches the agent.
struct FrameDecoderHandler: ByteToMessageDecoder {
    typealias InboundOut = [UInt8]

    private var frames: Wire.FrameDecoder

    init(maxFrameBytes: Int) {
        frames = Wire.FrameDecoder(maxFrameBytes: maxFrameBytes)
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if buffer.readableBytes > 0 {
            frames.append(buffer.readableBytesView)
            buffer.moveReaderIndex(to: buffer.writerIndex)
        }
        // Every buffered frame goes out now: the input is consumed whole, so NIO will not
        // call again until more bytes arrive.
        while let body = try frames.nextFrame() {
            context.fireChannelRead(wrapInboundOut(body))
        }
        return .needMoreData
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}
