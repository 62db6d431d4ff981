import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization
import Testing
@testable import Agent
@testable import Exec

/// An agent forwarding an exec sends its token only to a certificate for the address it
/// dialed: a certificate the cluster CA signed for another name (another service's, or one
/// stolen from a machine that is not this agent) fails the handshake before the request.
@Suite struct ExecForwarderTLSTests {
    static let token = "forwarded-token-8c1f"

    @Test func theTokenGoesOnlyToACertificateForTheAddressDialed() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("exec-forwarder-tls-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let credentials = try Credentials(in: directory)
        let trusted = try #require(try APIServerTLS.peerClientContext(APITLSFiles(certificateChain: credentials.dialed.chain, privateKey: credentials.dialed.key)))

        let impostor = try await RecordingTLSServer.start(credentials.otherName)
        let refused = await Self.forward(to: impostor, trusting: trusted)
        #expect(refused == nil, "the handshake with a certificate for 127.0.0.2 must fail when 127.0.0.1 is dialed")
        #expect(await impostor.closedWithin(.seconds(5)), "the refused connection is closed")
        #expect(impostor.received.isEmpty, "bytes reached a certificate for another name: \(String(decoding: impostor.received, as: UTF8.self))")
        try await impostor.stop()

        let agent = try await RecordingTLSServer.start(credentials.dialed)
        let accepted = await Self.forward(to: agent, trusting: trusted)
        #expect(accepted != nil, "the certificate for 127.0.0.1 is accepted")
        #expect(String(decoding: agent.received, as: UTF8.self).contains("Authorization: Bearer \(Self.token)\r\n"))
        try? await accepted?.channel.close()
        try await agent.stop()
    }

    /// The forwarder's handshake with `server`, or nil when it failed.
    static func forward(to server: RecordingTLSServer, trusting tls: NIOSSLContext) async -> ExecForwarder.Handshaken? {
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/api/v1/namespaces/default/pods/p-0/exec?command=true&stdout=true")
        let forwarder = ExecForwarder(tls: tls, token: token)
        return try? await forwarder.handshake(head, to: "127.0.0.1:\(server.port)", on: MultiThreadedEventLoopGroup.singleton.next()).get()
    }
}

/// One CA, and two certificates it signed with `scripts/api-certs`: one for 127.0.0.1 (the
/// address dialed) and one for 127.0.0.2.
private struct Credentials {
    struct Pair { let chain: String; let key: String }
    let dialed: Pair
    let otherName: Pair

    init(in directory: URL) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scripts/api-certs").standardized
        func make(_ address: String, as name: String) throws -> Pair {
            let process = Process()
            process.executableURL = script
            process.arguments = [directory.path, address]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            try #require(process.terminationStatus == 0, "scripts/api-certs \(address)")
            let pair = Pair(chain: directory.appendingPathComponent("\(name).pem").path, key: directory.appendingPathComponent("\(name)-key.pem").path)
            try FileManager.default.moveItem(atPath: directory.appendingPathComponent("api.pem").path, toPath: pair.chain)
            try FileManager.default.moveItem(atPath: directory.appendingPathComponent("api-key.pem").path, toPath: pair.key)
            return pair
        }
        dialed = try make("127.0.0.1", as: "dialed")
        otherName = try make("127.0.0.2", as: "other")
    }
}

/// A TLS server on 127.0.0.1 that records every byte a client sends after the handshake and
/// answers a request head with `101`, as a hosting agent would.
final class RecordingTLSServer: Sendable {
    let port: Int
    private let channel: any Channel
    private let log: Log

    final class Log: Sendable {
        let bytes = Mutex<[UInt8]>([])
        let closed = Mutex(false)
    }

    var received: [UInt8] { log.bytes.withLock { $0 } }

    private init(channel: any Channel, log: Log) {
        self.channel = channel
        self.log = log
        port = channel.localAddress?.port ?? 0
    }

    fileprivate static func start(_ pair: Credentials.Pair) async throws -> RecordingTLSServer {
        let chain = try NIOSSLCertificate.fromPEMFile(pair.chain)
        let key = try NIOSSLPrivateKey(file: pair.key, format: .pem)
        let context = try NIOSSLContext(configuration: .makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)))
        let log = Log()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try child.pipeline.syncOperations.addHandler(Recorder(log: log))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return RecordingTLSServer(channel: channel, log: log)
    }

    /// Whether the client's connection closed within `limit` (polled every 20 ms).
    func closedWithin(_ limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if log.closed.withLock({ $0 }) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    func stop() async throws {
        try await channel.close()
    }

    private final class Recorder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let log: Log

        init(log: Log) { self.log = log }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = Array(buffer: unwrapInboundIn(data))
            let all = log.bytes.withLock { $0 += bytes; return $0 }
            if all.count >= 4, all.suffix(4) == [13, 10, 13, 10] {
                context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: "HTTP/1.1 101 Switching Protocols\r\n\r\n")), promise: nil)
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            log.closed.withLock { $0 = true }
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
