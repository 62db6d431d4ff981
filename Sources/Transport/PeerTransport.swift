package import Basics
package import Logging
import ServiceLifecycle
package import Wire
import NIOCore
import NIOPosix
import Synchronization

/// Carries ``Wire/PeerMessage``s between agents over TCP: one listener, and one outgoing
/// link per peer with bounded buffering and reconnect back-off.
///
/// Each direction of a pair of agents uses its own connection (a listener only reads, a
/// link only writes), which keeps both halves simple and needs no connection handshake:
/// every message names its sender. Messages are handed to `deliver` on the event loop that
/// read them, and outgoing frames go straight into the peer's channel: no task sits between
/// the socket and the agent's mailbox. A frame that is too long, does not open with the
/// cluster key, or does not parse is counted, logged at most once per peer per minute, and
/// closes the connection it came on; nothing from it reaches the agent.
package final class PeerTransport: Service, Sendable {
    package let settings: TransportSettings
    package let counters = TransportCounters()

    private let codec: Wire.PeerCodec
    private let logger: Logger
    private let group: any EventLoopGroup
    private let deliver: @Sendable ([Wire.PeerMessage]) -> Void
    private let links = Mutex([Endpoint: PeerLink]())
    private let listening = Mutex(Listening())
    private let warnings = RateLimitedWarnings()
    private let clock = ContinuousClock()
    private let origin = ContinuousClock.now

    /// The listener and the connections it accepted, closed together by ``stop()``.
    private struct Listening {
        var stopped = false
        var server: (any Channel)?
        var inbound: [ObjectIdentifier: any Channel] = [:]
    }

    /// - Parameter deliver: called with the decoded messages of each socket read, on an
    ///   event-loop thread, in arrival order per connection; it must not block.
    package init(settings: TransportSettings, codec: Wire.PeerCodec, logger: Logger, deliver: @escaping @Sendable ([Wire.PeerMessage]) -> Void) {
        self.settings = settings
        self.codec = codec
        self.logger = logger
        self.deliver = deliver
        self.group = MultiThreadedEventLoopGroup.singleton
    }

    /// Encodes and queues a message for the peer at `endpoint`. Never blocks: a frame the
    /// link cannot take is dropped and counted.
    package func send(_ message: Wire.PeerMessage, to endpoint: Endpoint) {
        send([(message, endpoint)])
    }

    /// Sends a batch in order, with one hand-over (and one flush) per peer.
    package func send(_ batch: [(message: Wire.PeerMessage, endpoint: Endpoint)]) {
        var frames: [Endpoint: [ByteBuffer]] = [:]
        var order: [Endpoint] = []
        for (message, endpoint) in batch {
            let bytes: [UInt8]
            do {
                bytes = try codec.encode(message)
            } catch {
                logger.error("cannot encode peer message", metadata: ["error": "\(error)"])
                continue
            }
            if frames[endpoint] == nil { order.append(endpoint) }
            frames[endpoint, default: []].append(ByteBuffer(bytes: bytes))
        }
        for endpoint in order {
            link(to: endpoint).send(frames[endpoint] ?? [])
        }
    }

    private func link(to endpoint: Endpoint) -> PeerLink {
        links.withLock { table in
            if let existing = table[endpoint] { return existing }
            let created = PeerLink(endpoint: endpoint, settings: settings, group: group, counters: counters, logger: logger, greeting: greeting)
            if listening.withLock({ $0.stopped }) { created.stop() }
            table[endpoint] = created
            return created
        }
    }

    package func run() async throws {
        let server = try await bindListener()
        logger.info("peer transport listening", metadata: ["peer.bind": "\(settings.bind)"])
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await server.closeFuture.get()
            } onGracefulShutdown: {
                self.stop()
            }
        } onCancel: {
            self.stop()
        }
    }

    /// The frame every dialed connection starts with: this agent's `Hello`, freshly stamped.
    private func greeting() -> ByteBuffer? {
        guard let identity = settings.identity, let bytes = try? codec.encode(.greeting(from: identity)) else { return nil }
        return ByteBuffer(bytes: bytes)
    }

    /// Stops listening, closes every connection and refuses later sends; `run()` returns.
    package func stop() {
        let channels = listening.withLock { listening -> [any Channel] in
            listening.stopped = true
            defer { listening.inbound = [:] }
            return (listening.server.map { [$0] } ?? []) + Array(listening.inbound.values)
        }
        for channel in channels { channel.close(promise: nil) }
        for link in links.withLock({ Array($0.values) }) { link.stop() }
    }

    private func bindListener() async throws -> any Channel {
        let maxFrameBytes = settings.maxFrameBytes
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let trust = ConnectionTrust()
                    try channel.pipeline.syncOperations.addHandlers(
                        ByteToMessageHandler(FrameDecoderHandler(maxFrameBytes: maxFrameBytes, firstFrameBytes: self.settings.maxFirstFrameBytes, trust: trust)),
                        PeerInboundHandler(
                            codec: self.codec,
                            trust: trust,
                            firstFrameTimeout: .nanoseconds(self.settings.firstFrameTimeout.nanoseconds),
                            idleTimeout: .nanoseconds(self.settings.idleTimeout.nanoseconds),
                            accept: { messages, bytes in
                            self.counters.record {
                                $0.receivedFrames += UInt64(messages.count)
                                $0.receivedBytes += UInt64(bytes)
                            }
                            self.deliver(messages)
                        }, reject: { remote, error in
                            self.reject(from: remote, error: error)
                        })
                    )
                    self.track(channel)
                }
            }
            .bind(host: settings.bind.host, port: Int(settings.bind.port))
            .get()
        let stopped = listening.withLock { listening in
            if !listening.stopped { listening.server = server }
            return listening.stopped
        }
        if stopped { try? await server.close() }
        return server
    }

    /// Remembers an accepted connection until it closes, so ``stop()`` can close it; closes
    /// it at once when the agent holds ``TransportSettings/maxInboundConnections`` already,
    /// or ``TransportSettings/maxInboundPerAddress`` from its (non-loopback) address.
    private func track(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        let remote = channel.remoteAddress?.ipAddress
        let limitedRemote = remote.flatMap { Endpoint(host: $0, port: 1).isLoopback ? nil : $0 }
        let refusal: String? = listening.withLock { listening in
            if listening.stopped { return "stopped" }
            if listening.inbound.count >= settings.maxInboundConnections { return "too many inbound connections" }
            if let limitedRemote, listening.inbound.values.count(where: { $0.remoteAddress?.ipAddress == limitedRemote }) >= settings.maxInboundPerAddress {
                return "too many inbound connections from \(limitedRemote)"
            }
            listening.inbound[id] = channel
            return nil
        }
        if let refusal {
            channel.close(promise: nil)
            if refusal != "stopped" {
                counters.record { $0.rejectedConnections += 1 }
                let now = Instant(nanoseconds: UInt64((clock.now - origin).nanoseconds))
                if warnings.shouldLog(peer: remote ?? "unknown", now: now) {
                    logger.warning("refused peer connection", metadata: ["peer.remote": "\(remote ?? "unknown")", "reason": "\(refusal)"])
                }
            }
            return
        }
        channel.closeFuture.whenComplete { _ in
            _ = self.listening.withLock { $0.inbound.removeValue(forKey: id) }
        }
    }

    private func reject(from remote: String, error: any Error) {
        if error is Wire.FrameError || error is InboundTimeout {
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

