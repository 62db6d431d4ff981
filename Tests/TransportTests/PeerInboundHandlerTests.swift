import Basics
import Membership
import NIOCore
import NIOEmbedded
import Synchronization
import Testing
import PeerMessages
import Wire
@testable import Transport

/// One read's messages go over together; a bad frame ends the connection, keeping what came
/// before it and dropping everything after.
@Suite struct PeerInboundHandlerTests {
    final class Received: Sendable {
        let batches = Mutex<[[Wire.PeerMessage]]>([])
        let rejections = Mutex<Int>(0)
    }

    private let codec = Wire.PeerCodec(keyring: try! Wire.Keyring(key: nil), maxFrameBytes: 1 << 16)

    private func ping(_ sequence: UInt64) -> Wire.PeerMessage {
        .gossip(Membership.Envelope(sender: NodeID("a"), senderAddress: Endpoint(host: "127.0.0.1", port: 7400), message: .ping(sequence: sequence)))
    }

    private func channel(_ received: Received) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers(
            ByteToMessageHandler(FrameDecoderHandler(maxFrameBytes: 1 << 16)),
            PeerInboundHandler(
                codec: codec,
                accept: { batch, _ in received.batches.withLock { $0.append(batch) } },
                reject: { _, _ in received.rejections.withLock { $0 += 1 } }
            )
        )
        return channel
    }

    @Test func theMessagesOfOneReadArriveAsOneBatch() throws {
        let received = Received()
        let channel = try channel(received)
        var bytes = ByteBuffer()
        for sequence: UInt64 in 1 ... 3 { bytes.writeBytes(try codec.encode(ping(sequence), to: "")) }
        try channel.writeInbound(bytes)
        channel.pipeline.fireChannelReadComplete()
        #expect(received.batches.withLock { $0 } == [[ping(1), ping(2), ping(3)]])
        #expect(received.rejections.withLock { $0 } == 0)
        _ = try? channel.finish()
    }

    @Test func aBadFrameKeepsWhatCameBeforeAndDropsWhatFollows() throws {
        let received = Received()
        let channel = try channel(received)
        var bytes = ByteBuffer()
        bytes.writeBytes(try codec.encode(ping(1), to: ""))
        bytes.writeBytes(Wire.encodeFrame([0xFF, 0xFF, 0xFF]))  // frames fine, body does not parse
        bytes.writeBytes(try codec.encode(ping(2), to: ""))
        try channel.writeInbound(bytes)
        channel.pipeline.fireChannelReadComplete()
        #expect(received.batches.withLock { $0 } == [[ping(1)]])
        #expect(received.rejections.withLock { $0 } == 1)
        #expect(!channel.isActive)
    }
}
