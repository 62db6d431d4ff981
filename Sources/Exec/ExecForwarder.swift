import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// An exec for a pod on another agent: opens a connection to that agent's API (TLS when
/// this agent serves TLS, trusting the cluster's chain and checking that the certificate is
/// for the address dialed, before a byte of the request), sends the client's upgrade request
/// with this agent's own token and ``ExecService/forwardedHeader``, and waits for its `101`.
/// The upgrader then answers the client with the same headers and splices the two
/// connections byte for byte (``ExecSplice``): the hosting agent speaks SPDY or WebSocket
/// with kubectl directly, whatever this agent is.
struct ExecForwarder {
    /// Connecting and the hosting agent's `101` together.
    static let handshakeTimeout = TimeAmount.seconds(10)
    /// The hosting agent's response head may not be longer.
    static let maxResponseHead = 16 << 10

    /// Client TLS for the hosting agent (nil: plain HTTP), and this agent's token.
    let tls: NIOSSLContext?
    let token: String?

    /// The hosting agent's connection after its `101`.
    struct Handshaken: @unchecked Sendable {
        let channel: any Channel
        let headers: [(String, String)]
    }

    struct Refused: Error, CustomStringConvertible {
        var description: String
    }

    func handshake(_ head: HTTPRequestHead, to address: String, on loop: any EventLoop) -> EventLoopFuture<Handshaken> {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else {
            return loop.makeFailedFuture(Refused(description: "bad agent address \(address)"))
        }
        let host = String(address[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let promise = loop.makePromise(of: Handshaken.self)
        let (tls, token) = (tls, token)
        let timeout = loop.scheduleTask(in: Self.handshakeTimeout) {
            promise.fail(Refused(description: "the agent at \(address) did not answer the exec within \(Self.handshakeTimeout)"))
        }
        ClientBootstrap(group: loop)
            .connectTimeout(Self.handshakeTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: Self.serverName(host)))
                    }
                    try channel.pipeline.syncOperations.addHandler(ExecHandshakeReader(promise: promise), name: ExecHandshakeReader.name)
                }
            }
            .connect(host: host, port: port)
            .whenComplete { result in
                switch result {
                case .failure(let error):
                    promise.fail(error)
                case .success(let channel):
                    promise.futureResult.whenFailure { _ in channel.close(promise: nil) }
                    channel.writeAndFlush(channel.allocator.buffer(string: Self.requestText(head, address: address, token: token)), promise: nil)
                }
            }
        promise.futureResult.whenComplete { _ in timeout.cancel() }
        return promise.futureResult
    }

    /// The name the hosting agent's certificate must carry, sent as SNI: a host name as it
    /// is; nil for an IP address, which SNI may not carry — NIOSSL then checks the
    /// certificate's IP addresses against the connected peer's.
    static func serverName(_ host: String) -> String? {
        (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
    }

    /// The client's request head for the hosting agent: its own `Host`, this agent's token
    /// instead of the client's, and the forwarded mark. NIO's parser never hands over CR or
    /// LF inside a value, so the text cannot be split into more headers.
    static func requestText(_ head: HTTPRequestHead, address: String, token: String?) -> String {
        var text = "\(head.method.rawValue) \(head.uri) HTTP/1.1\r\nHost: \(address)\r\n"
        let dropped: Set<String> = ["host", "authorization", ExecService.forwardedHeader.lowercased(), "content-length", "transfer-encoding"]
        for (name, value) in head.headers where !dropped.contains(name.lowercased()) {
            text += "\(name): \(value)\r\n"
        }
        if let token { text += "Authorization: Bearer \(token)\r\n" }
        return text + "\(ExecService.forwardedHeader): 1\r\n\r\n"
    }
}

/// Reads the hosting agent's response head; on `101` completes the handshake and keeps any
/// bytes that follow until the splice takes them. Anything else fails it.
final class ExecHandshakeReader: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    static let name = "exec-handshake"

    private let promise: EventLoopPromise<ExecForwarder.Handshaken>
    private var buffer = ByteBuffer()
    private var done = false
    /// Bytes after the head, until ``takeLeftover()``.
    private(set) var leftover = ByteBuffer()

    init(promise: EventLoopPromise<ExecForwarder.Handshaken>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if done {
            leftover.writeBuffer(&bytes)
            return
        }
        buffer.writeBuffer(&bytes)
        let view = buffer.readableBytesView
        guard let end = view.firstRange(of: [13, 10, 13, 10]) else {
            if buffer.readableBytes > ExecForwarder.maxResponseHead { fail(context, "response head too long") }
            return
        }
        let headLength = end.upperBound - view.startIndex
        let text = buffer.readString(length: headLength) ?? ""
        leftover.writeBuffer(&buffer)
        let lines = text.split(separator: "\r\n", omittingEmptySubsequences: true)
        guard let status = lines.first, status.hasPrefix("HTTP/1.1 101") else {
            return fail(context, "the hosting agent answered \(lines.first ?? "nothing")")
        }
        let headers = lines.dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        done = true
        promise.succeed(ExecForwarder.Handshaken(channel: context.channel, headers: headers))
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !done { fail(context, "the hosting agent closed the connection") }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !done { promise.fail(error) }
        context.close(promise: nil)
    }

    /// The bytes that came after the head, handed over once.
    func takeLeftover() -> ByteBuffer {
        defer { leftover = ByteBuffer() }
        return leftover
    }

    private func fail(_ context: ChannelHandlerContext, _ why: String) {
        done = true
        promise.fail(ExecForwarder.Refused(description: why))
        context.close(promise: nil)
    }
}
