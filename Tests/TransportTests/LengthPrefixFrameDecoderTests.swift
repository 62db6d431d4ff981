import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing
@testable import Transport

@Suite struct LengthPrefixFrameDecoderTests {
    private func frame(_ body: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(body.count))
        buffer.writeBytes(body)
        return buffer
    }

    @Test func passesTheDecoderVerifier() throws {
        let pairs: [(ByteBuffer, [ByteBuffer])] = [
            (frame([1, 2, 3]), [ByteBuffer(bytes: [1, 2, 3])]),
            (frame([9]), [ByteBuffer(bytes: [9])]),
            ({ var both = frame([4, 5]); var second = frame([6]); both.writeBuffer(&second); return both }(),
             [ByteBuffer(bytes: [4, 5]), ByteBuffer(bytes: [6])]),
        ]
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) {
            LengthPrefixFrameDecoder(maxFrameBytes: 1024)
        }
    }

    @Test(arguments: [UInt32(0), 1025, UInt32.max])
    func rejectsLengthsOutsideTheBound(length: UInt32) throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(LengthPrefixFrameDecoder(maxFrameBytes: 1024)))
        var buffer = ByteBuffer()
        buffer.writeInteger(length)
        buffer.writeBytes([1, 2, 3])
        #expect(throws: FrameLengthError.self) {
            try channel.writeInbound(buffer)
        }
        _ = try? channel.finish()
    }

    @Test func waitsForTheWholeFrame() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(LengthPrefixFrameDecoder(maxFrameBytes: 1024)))
        var whole = frame([7, 7, 7, 7])
        let head = whole.readSlice(length: 5)!
        try channel.writeInbound(head)
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
        try channel.writeInbound(whole)
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(bytes: [7, 7, 7, 7]))
        #expect(try channel.finish().isClean)
    }
}
