import NIOCore
import Wire

/// Splits a TCP byte stream into frames: a 4-byte big-endian length, then that many bytes.
///
/// A length of zero or above the bound is a protocol error: the decoder throws, NIO closes
/// the connection, and nothing of the frame reaches the agent.
struct LengthPrefixFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    let maxFrameBytes: Int

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else {
            return .needMoreData
        }
        guard length > 0, Int(length) <= maxFrameBytes else {
            throw FrameLengthError(length: Int(length), limit: maxFrameBytes)
        }
        guard buffer.readableBytes >= 4 + Int(length) else {
            return .needMoreData
        }
        buffer.moveReaderIndex(forwardBy: 4)
        guard let body = buffer.readSlice(length: Int(length)) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(body))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}

/// A frame's length prefix was zero or over the bound.
struct FrameLengthError: Error, CustomStringConvertible {
    let length: Int
    let limit: Int
    var description: String { "frame length \(length) outside 1...\(limit)" }
}
