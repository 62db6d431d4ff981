package import Basics
package import Listening
package import Logging
import CoreMetrics
import Telemetry
package import NIOCore
import NIOPosix
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// Serves DNS over UDP and TCP on one address (`--dns`, default port 7453) around a pure
/// answer function: bytes in, bytes out. UDP queries are answered on the event loop that
/// read them, with no task hop, which is what keeps up with `dnsperf`, and rate-limited per
/// client netblock; TCP connections carry length-prefixed messages (RFC 1035 §4.2.2), are
/// capped in all and per address, and are bounded as ``TCPConnectionHandler`` says.
package final class DNSServer: Service, Sendable {
    /// Answers one query; `overTCP` lifts the size limit. Nil drops the query.
    package typealias Answer = @Sendable (_ query: [UInt8], _ overTCP: Bool) -> [UInt8]?

    /// The generation of the data answers come from: answers are cached until it changes.
    package typealias Generation = @Sendable () -> UInt64

    static let queriesPerRead = 16
    static let socketBufferBytes = 64 << 10

    package let endpoint: Endpoint
    private let answer: Answer
    private let generation: Generation
    private let defences: DNSDefences
    private let logger: Logger
    private let acceptFailed: @Sendable (_ reason: String) -> Void

    /// - Parameters:
    ///   - budget: the descriptors the process's listeners share.
    ///   - acceptFailed: told each failed `accept` (out of descriptors or memory) by its errno.
    package init(
        endpoint: Endpoint, settings: DNSServerSettings = DNSServerSettings(), budget: DescriptorBudget, logger: Logger, metrics: DNSMetrics,
        acceptFailed: @escaping @Sendable (_ reason: String) -> Void = { _ in },
        generation: @escaping Generation, answer: @escaping Answer
    ) {
        self.endpoint = endpoint
        self.acceptFailed = acceptFailed
        defences = DNSDefences(settings: settings, metrics: metrics, logger: logger, budget: budget)
        self.answer = answer
        self.generation = generation
        self.logger = logger
    }

    /// Sets up an accepted TCP connection: closed at once (counted, logged) past a cap, else
    /// given the bounded answering handler. What the server, the tests and the
    /// `dns-tcp` fuzz target run.
    package static func configureTCP(_ channel: any Channel, defences: DNSDefences, answer: @escaping Answer) throws {
        guard defences.admit(channel) else {
            channel.close(promise: nil)
            return
        }
        try channel.pipeline.syncOperations.addHandler(TCPConnectionHandler(answer: answer, defences: defences))
    }

    /// How far behind the agent's other threads the DNS thread is scheduled under load.
    static let threadNiceness: Int32 = 10

    /// Runs on an event loop of its own, on a thread the kernel schedules behind the agent's
    /// others (nice ``threadNiceness``): queries come from anyone, as fast as a client can
    /// send them, and a flood of them must slow DNS answers, not the Raft messages and API
    /// requests the shared loops carry. Without contention the niceness changes nothing.
    package func run() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { group.shutdownGracefully { _ in } }
        // On Linux a nice value is a thread's, and `who` 0 names the calling thread.
        try await group.next().submit { setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Self.threadNiceness) }.get()
        let answer = self.answer
        let generation = self.generation
        let defences = self.defences
        let shared: SocketOptionValue = defences.settings.sharedPort ? 1 : 0
        let udp = try await DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(ChannelOptions.socket(SocketOptionLevel(SOL_SOCKET), SocketOptionName(SO_REUSEPORT)), value: shared)
            .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
            // recvmmsg: up to 16 queries per read; the buffer is split between them, so it is
            // sized for 16 datagrams of up to 4 KiB (a query is far smaller).
            .channelOption(.datagramVectorReadMessageCount, value: Self.queriesPerRead)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: Self.queriesPerRead * 4096))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(UDPQueryHandler(answer: answer, generation: generation, defences: defences))
                }
            }
            .bind(host: endpoint.host, port: Int(endpoint.port)).get()
        let tcp: any Channel
        do {
            tcp = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(ChannelOptions.socket(SocketOptionLevel(SOL_SOCKET), SocketOptionName(SO_REUSEPORT)), value: shared)
                .serverChannelInitializer { [logger, acceptFailed] channel in
                    AcceptFailureHandler.install(on: channel, listener: "dns", logger: logger, failed: acceptFailed)
                }
                // One read of at most 16 KiB per turn: what a paused connection holds unread.
                .childChannelOption(.maxMessagesPerRead, value: 1)
                // The kernel's buffers per connection fixed at 64 KiB each way (Linux doubles
                // it) instead of autotuned to megabytes: memory a client that does not read
                // makes the machine hold, and the buffer backpressure must fill before it acts.
                .childChannelOption(.socketOption(.so_sndbuf), value: Self.socketBufferBytes)
                .childChannelOption(.socketOption(.so_rcvbuf), value: Self.socketBufferBytes)
                .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: 16 << 10))
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try Self.configureTCP(channel, defences: defences, answer: answer)
                    }
                }
                .bind(host: endpoint.host, port: Int(endpoint.port)).get()
        } catch {
            try? await udp.close()
            throw error
        }
        logger.info("dns listening", metadata: ["dns.bind": "\(endpoint)"])
        await withGracefulShutdownHandler { () async -> Void in
            try? await udp.closeFuture.get()
        } onGracefulShutdown: {
            udp.close(promise: nil)
            tcp.close(promise: nil)
        }
        try? await tcp.close()
    }
}

