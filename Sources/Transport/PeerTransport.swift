package import Basics
package import Logging
import ServiceLifecycle
package import Wire
import NIOCore
import NIOPosix
import Synchronization

/// Carries ``Wire/PeerMessage``s between agents over TCP: one listener, and one outgoing
/// link per peer with a bounded queue and reconnect back-off.
///
/// Each direction of a pair of agents uses its own connection (a listener only reads, a
/// link only writes), which keeps both halves simple and needs no connection handshake:
/// every message names its sender. A frame that is too long, does not open with the cluster
/// key, or does not parse is counted, logged at most once per peer per minute, and closes
/// the connection it came on; nothing from it reaches the agent.
package final class PeerTransport: Service, Sendable {
    package let settings: TransportSettings
    package let counters = TransportCounters()
    /// Decoded messages from every peer, in arrival order per connection.
    package let messages: AsyncStream<PeerMessageFrom>

    private let codec: Wire.PeerCodec
    private let logger: Logger
    private let group: any EventLoopGroup
    private let messagesContinuation: AsyncStream<PeerMessageFrom>.Continuation
    private let links = Mutex([Endpoint: PeerLink]())
    private let newLinks: AsyncStream<PeerLink>
    private let newLinksContinuation: AsyncStream<PeerLink>.Continuation
    private let warnings = RateLimitedWarnings()
    private let clock = ContinuousClock()
    private let origin = ContinuousClock.now

    package init(settings: TransportSettings, codec: Wire.PeerCodec, logger: Logger) {
        self.settings = settings
        self.codec = codec
        self.logger = logger
        self.group = MultiThreadedEventLoopGroup.singleton
        (messages, messagesContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(4096))
        (newLinks, newLinksContinuation) = AsyncStream.makeStream()
    }

    /// Encodes and queues a message for the peer at `endpoint`. Never blocks: a full queue
    /// drops the message and counts it.
    package func send(_ message: Wire.PeerMessage, to endpoint: Endpoint) {
        let bytes: [UInt8]
        do {
            bytes = try codec.encode(message)
        } catch {
            logger.error("cannot encode peer message", metadata: ["error": "\(error)"])
            return
        }
        let link = links.withLock { table -> PeerLink in
            if let existing = table[endpoint] { return existing }
            let created = PeerLink(endpoint: endpoint, capacity: settings.outgoingQueueFrames)
            table[endpoint] = created
            newLinksContinuation.yield(created)
            return created
        }
        if !link.enqueue(ByteBuffer(bytes: bytes)) {
            counters.record { $0.droppedOutgoing += 1 }
        }
    }

    package func run() async throws {
        let server = try await bindListener()
        logger.info("peer transport listening", metadata: ["peer.bind": "\(settings.bind)"])
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask {
                    do {
                        try await self.acceptConnections(on: server)
                    } catch is CancellationError {
                        // stop() ended the transport; closing the listener is the expected way out.
                    }
                }
                for await link in newLinks {
                    group.addTask {
                        await link.run(settings: self.settings, group: self.group, counters: self.counters, logger: self.logger)
                    }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.stop()
        }
    }

    /// Stops accepting and sending; `run()` returns once its tasks have ended.
    package func stop() {
        newLinksContinuation.finish()
        let all = links.withLock { table in Array(table.values) }
        for link in all { link.finish() }
        messagesContinuation.finish()
    }

    private func bindListener() async throws -> NIOAsyncChannel<NIOAsyncChannel<[UInt8], Never>, Never> {
        let maxFrameBytes = settings.maxFrameBytes
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: settings.bind.host, port: Int(settings.bind.port)) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(FrameDecoderHandler(maxFrameBytes: maxFrameBytes))
                    )
                    // Inbound connections are read-only: with no writer there is nothing to leave
                    // unfinished when a connection arrives during shutdown.
                    return try NIOAsyncChannel<[UInt8], Never>(wrappingChannelSynchronously: channel)
                }
            }
    }

    private func acceptConnections(on server: NIOAsyncChannel<NIOAsyncChannel<[UInt8], Never>, Never>) async throws {
        try await server.executeThenClose { connections in
            try await withThrowingDiscardingTaskGroup { group in
                for try await connection in connections {
                    group.addTask { await self.serve(connection) }
                }
            }
        }
    }

    /// Reads frames from one inbound connection until it closes or sends something bad.
    private func serve(_ connection: NIOAsyncChannel<[UInt8], Never>) async {
        let remote = connection.channel.remoteAddress?.ipAddress ?? "unknown"
        do {
            try await connection.executeThenClose { inbound in
                for try await body in inbound {
                    let message = try codec.decodeBody(body)
                    counters.record { $0.receivedFrames += 1 }
                    messagesContinuation.yield(PeerMessageFrom(message: message, remoteHost: remote))
                }
            }
        } catch {
            reject(from: remote, error: error)
        }
    }

    private func reject(from remote: String, error: any Error) {
        if error is Wire.FrameError {
            counters.record { $0.rejectedConnections += 1 }
        } else if error is Wire.DecodeError {
            counters.record { $0.rejectedFrames += 1; $0.rejectedConnections += 1 }
        } else {
            return  // an ordinary disconnect
        }
        let now = Instant(nanoseconds: UInt64((clock.now - origin).nanoseconds))
        if warnings.shouldLog(peer: remote, now: now) {
            logger.warning("rejected peer connection", metadata: ["peer.remote": "\(remote)", "error": "\(error)"])
        }
    }
}

/// A decoded message and the address of the connection it came on (for logs only: the
/// sender's identity is inside the message).
package struct PeerMessageFrom: Sendable {
    package var message: Wire.PeerMessage
    package var remoteHost: String
}
