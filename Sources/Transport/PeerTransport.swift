package import Basics
package import Logging
package import PeerMessages
import Listening
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

    let codec: Wire.PeerCodec
    let logger: Logger
    let group: any EventLoopGroup
    let deliver: @Sendable ([Wire.PeerMessage]) -> Void
    private let links = Mutex([Endpoint: PeerLink]())
    let listening: Mutex<Listening>
    let warnings = RateLimitedLog()
    /// One warning a minute about refused connections, however many addresses they use.
    let refusals = RateLimitedLog()
    /// Turns away, in the kernel, the strangers ``InboundSlots`` would refuse.
    let sourceFilter: ListenerSourceFilter

    /// The listener and the connections it accepted, closed together by ``stop()``.
    struct Listening {
        var stopped = false
        var server: (any Channel)?
        var inbound: [ObjectIdentifier: any Channel] = [:]
        /// Which of `inbound` are proven, and whether one more fits.
        var slots: InboundSlots
        /// Connections refused since the last warning about them.
        var refusedSinceWarning = 0

        /// What the listener should turn away now (``InboundSlots/refusedSources(now:)``).
        mutating func refusedSources() -> Set<String> {
            slots.refusedSources(now: NIODeadline.now().uptimeNanoseconds)
        }
    }

    /// - Parameter deliver: called with the decoded messages of each socket read, on an
    ///   event-loop thread, in arrival order per connection; it must not block.
    package init(settings: TransportSettings, codec: Wire.PeerCodec, logger: Logger, deliver: @escaping @Sendable ([Wire.PeerMessage]) -> Void) {
        self.settings = settings
        self.codec = codec
        self.logger = logger
        self.deliver = deliver
        self.group = MultiThreadedEventLoopGroup.singleton
        sourceFilter = ListenerSourceFilter(listener: "peer", logger: logger, report: settings.blockedSources)
        listening = Mutex(Listening(slots: InboundSlots(limits: .init(
            total: settings.maxInboundConnections, unproven: settings.maxUnprovenConnections, unprovenPerAddress: settings.maxUnprovenPerAddress
        ))))
    }

    /// Encodes and queues a message for the peer at `endpoint`. Never blocks: a frame the
    /// link cannot take is dropped and counted.
    package func send(_ message: Wire.PeerMessage, to endpoint: Endpoint) {
        send([(message, endpoint)])
    }

    /// Sends a batch in order, with one hand-over (and one flush) per peer. Each link seals
    /// the messages for the address its connection reaches.
    package func send(_ batch: [(message: Wire.PeerMessage, endpoint: Endpoint)]) {
        var messages: [Endpoint: [Wire.PeerMessage]] = [:]
        var order: [Endpoint] = []
        for (message, endpoint) in batch {
            if messages[endpoint] == nil { order.append(endpoint) }
            messages[endpoint, default: []].append(message)
        }
        for endpoint in order {
            link(to: endpoint).send(messages[endpoint] ?? [])
        }
    }

    /// The agents this one knows (gossip's members of any status, Raft's configuration):
    /// the replay guard keeps their stamps whatever strangers claim, and connections from
    /// their `addresses` find room (``InboundSlots``).
    package func remember(members: Set<NodeID>, addresses: [Endpoint]) {
        codec.replayGuard.remember(members: members)
        let hosts = Set(addresses.map { SealedAddress.host(of: try? SocketAddress(ipAddress: $0.host, port: 0)) ?? $0.host })
        let refusing = listening.withLock {
            $0.slots.memberAddresses = hosts
            return $0.refusedSources()
        }
        sourceFilter.block(refusing)
    }

    private func link(to endpoint: Endpoint) -> PeerLink {
        links.withLock { table in
            if let existing = table[endpoint] { return existing }
            let created = PeerLink(
                endpoint: endpoint, settings: settings, group: group, counters: counters, logger: logger,
                greeting: settings.identity.map { .greeting(from: $0) }, encode: { [self] in frame($0, recipient: $1) }
            )
            if listening.withLock({ $0.stopped }) { created.stop() }
            table[endpoint] = created
            return created
        }
    }

    /// A message as a complete frame sealed for `recipient`, or nil (logged) when it cannot
    /// be encoded.
    private func frame(_ message: Wire.PeerMessage, recipient: String) -> ByteBuffer? {
        do {
            return ByteBuffer(bytes: try codec.encode(message, to: recipient))
        } catch {
            logger.error("cannot encode peer message", metadata: ["error": "\(error)"])
            return nil
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
}
