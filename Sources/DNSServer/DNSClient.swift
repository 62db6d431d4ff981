package import Basics
package import NIOCore
import NIOPosix

/// Sends one DNS message to a server and returns the reply: over UDP, or over TCP with the
/// 2-byte length prefix. What `ordinal lookup` uses; bounded by a timeout.
package enum DNSClient {
    package struct Timeout: Error, CustomStringConvertible {
        package var description: String { "no answer within the timeout" }
    }

    package static func exchange(_ query: [UInt8], with server: Endpoint, overTCP: Bool, timeout: TimeAmount = .seconds(3)) async throws -> [UInt8] {
        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.next().makePromise(of: [UInt8].self)
        let channel: any Channel
        if overTCP {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(timeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers([ByteToMessageHandler(TCPQueryDecoder()), ReplyCatcher(promise: promise)])
                    }
                }
                .connect(host: server.host, port: Int(server.port)).get()
            var buffer = channel.allocator.buffer(capacity: query.count + 2)
            buffer.writeInteger(UInt16(query.count))
            buffer.writeBytes(query)
            try await channel.writeAndFlush(buffer)
        } else {
            channel = try await DatagramBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(DatagramReplyCatcher(promise: promise))
                    }
                }
                .bind(host: server.host.contains(":") ? "::" : "0.0.0.0", port: 0).get()
            let address = try SocketAddress.makeAddressResolvingHost(server.host, port: Int(server.port))
            try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: channel.allocator.buffer(bytes: query)))
        }
        let deadline = channel.eventLoop.scheduleTask(in: timeout) { promise.fail(Timeout()) }
        defer {
            deadline.cancel()
            channel.close(promise: nil)
        }
        return try await promise.futureResult.get()
    }
}

private final class ReplyCatcher: ChannelInboundHandler, Sendable {
    typealias InboundIn = [UInt8]
    let promise: EventLoopPromise<[UInt8]>
    init(promise: EventLoopPromise<[UInt8]>) { self.promise = promise }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) { promise.succeed(unwrapInboundIn(data)) }
    func errorCaught(context: ChannelHandlerContext, error: any Error) { promise.fail(error) }
}

private final class DatagramReplyCatcher: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let promise: EventLoopPromise<[UInt8]>
    init(promise: EventLoopPromise<[UInt8]>) { self.promise = promise }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        promise.succeed(Array(unwrapInboundIn(data).data.readableBytesView))
    }
    func errorCaught(context: ChannelHandlerContext, error: any Error) { promise.fail(error) }
}
