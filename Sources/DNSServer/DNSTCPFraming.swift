import NIOCore

/// DNS over TCP (RFC 1035 §4.2.2): each message follows its 2-byte big-endian length.
enum DNSTCPFraming {
    /// Takes the next whole message off `buffer`, with its length; nil (consuming nothing)
    /// until the whole message has arrived.
    static func nextMessage(from buffer: inout ByteBuffer) -> [UInt8]? {
        guard hasMessage(in: buffer), let length = buffer.readInteger(as: UInt16.self) else { return nil }
        return buffer.readBytes(length: Int(length))
    }

    /// Whether `buffer` holds a whole message.
    static func hasMessage(in buffer: ByteBuffer) -> Bool {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self) else { return false }
        return buffer.readableBytes >= 2 + Int(length)
    }

    /// `message` behind its length; nil when it is longer than a length can say.
    static func frame(_ message: [UInt8], allocator: ByteBufferAllocator) -> ByteBuffer? {
        guard message.count <= Int(UInt16.max) else { return nil }
        var buffer = allocator.buffer(capacity: message.count + 2)
        buffer.writeInteger(UInt16(message.count))
        buffer.writeBytes(message)
        return buffer
    }
}

/// Splits a TCP stream into DNS messages, for the client (``DNSClient``), which reads one
/// reply; the server frames in ``TCPConnectionHandler`` so it can stop between messages.
struct TCPQueryDecoder: ByteToMessageDecoder {
    typealias InboundOut = [UInt8]

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let message = DNSTCPFraming.nextMessage(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(message))
        return .continue
    }
}
