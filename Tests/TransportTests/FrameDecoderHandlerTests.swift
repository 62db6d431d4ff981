import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing
import PeerMessages
import Wire
@testable import Transport

@Suite struct FrameDecoderHandlerTests {
    private func frame(_ body: [UInt8]) -> ByteBuffer {
        ByteBuffer(bytes: Wire.encodeFrame(body))
    }

    @Test func passesTheDecoderVerifier() throws {
        var both = frame([4, 5])
        var second = frame([6])
        both.writeBuffer(&second)
        let pairs: [(ByteBuffer, [[UInt8]])] = [
            (frame([1, 2, 3]), [[1, 2, 3]]),
            (frame([9]), [[9]]),
            (both, [[4, 5], [6]]),
        ]
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) {
            FrameDecoderHandler(maxFrameBytes: 1024)
        }
    }

    @Test(arguments: [UInt32(0), 1025, UInt32.max])
    func rejectsLengthsOutsideTheBound(length: UInt32) throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoderHandler(maxFrameBytes: 1024)))
        var buffer = ByteBuffer()
        buffer.writeInteger(length)
        buffer.writeBytes([1, 2, 3])
        #expect(throws: Wire.FrameError.self) {
            try channel.writeInbound(buffer)
        }
        _ = try? channel.finish()
    }

    @Test func waitsForTheWholeFrame() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoderHandler(maxFrameBytes: 1024)))
        var whole = frame([7, 7, 7, 7])
        let head = whole.readSlice(length: 5)!
        try channel.writeInbound(head)
        #expect(try channel.readInbound(as: [UInt8].self) == nil)
        try channel.writeInbound(whole)
        #expect(try channel.readInbound(as: [UInt8].self) == [7, 7, 7, 7])
        #expect(try channel.finish().isClean)
    }
}
