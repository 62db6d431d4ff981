import NIOCore

/// Two connections on one event loop joined byte for byte (NIO's glue-handler pattern): what
/// one reads the other writes, a side reads only while its partner can write (so neither
/// buffers without bound), and either closing closes both.
enum ExecSplice {
    /// Joins kubectl's upgraded connection with the hosting agent's, handing the client the
    /// bytes the hosting agent sent right after its `101`.
    static func join(client: any Channel, agent: any Channel) throws {
        let agentPipeline = agent.pipeline.syncOperations
        let reader = try agentPipeline.handler(type: ExecHandshakeReader.self)
        let leftover = reader.takeLeftover()
        let (clientSide, agentSide) = ExecSpliceHandler.pair()
        try client.pipeline.syncOperations.addHandler(clientSide)
        try agentPipeline.addHandler(agentSide)
        agentPipeline.removeHandler(reader, promise: nil)
        if leftover.readableBytes > 0 { client.writeAndFlush(leftover, promise: nil) }
    }
}

/// One side of a splice.
final class ExecSpliceHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var partner: ExecSpliceHandler?
    private var context: ChannelHandlerContext?
    private var pendingRead = false

    static func pair() -> (ExecSpliceHandler, ExecSpliceHandler) {
        let a = ExecSpliceHandler(), b = ExecSpliceHandler()
        a.partner = b
        b.partner = a
        return (a, b)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partner?.context?.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.context?.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.context?.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.resumeReading() }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if partner?.context?.channel.isWritable ?? true {
            context.read()
        } else {
            pendingRead = true
        }
    }

    private func resumeReading() {
        guard pendingRead, let context else { return }
        pendingRead = false
        context.read()
    }
}
