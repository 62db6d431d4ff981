import Basics
import Logging
import NIOCore
import NIOPosix
import Synchronization
import PeerMessages
import Wire

/// The outgoing half of the connection to one peer: dials on demand, then hands frames
/// straight to the NIO channel, one event-loop hop and one flush per batch.
///
/// Messages are sealed only once the connection exists, because a sealed frame names the
/// address it is connected to (``Wire/SealedHeader``): while dialing, the messages wait,
/// and the greeting and they are sealed when the dial succeeds. The connection is dialed
/// from the agent's own `--bind` host when that is a specific address, so the peer sees
/// each local agent as its own source address and can give it its own slots.
///
/// Writing into the channel from the sender's thread (no task of its own in between) is what
/// keeps a Raft round cheap: each hop through a task was a thread wake-up on every message.
/// Memory stays bounded: while dialing or backing off at most `outgoingQueueFrames` messages
/// wait, and a connected channel over its write-buffer high-water mark takes nothing new.
/// A failed dial or a broken connection drops what was in flight and backs off; gossip and
/// Raft both tolerate a lost message, and neither wants a stale backlog replayed.
final class PeerLink: Sendable {
    let endpoint: Endpoint
    private let settings: TransportSettings
    private let group: any EventLoopGroup
    private let counters: TransportCounters
    private let logger: Logger
    private let state: Mutex<State>

    private enum Phase {
        case idle
        case connecting(queue: [Wire.PeerMessage])
        /// `recipient`: the connection's far end as a sealed header names it.
        case connected(any Channel, recipient: String)
        case backingOff(queue: [Wire.PeerMessage])
        case stopped
    }

    private struct State {
        var phase = Phase.idle
        /// Dials that failed (or connections that broke) since the last successful dial.
        var failures = 0
        var jitter: SplitMix64
    }

    /// Bytes a connected channel may hold unsent before new frames are dropped.
    static let writeBufferHighWater = 4 << 20

    /// The message a new connection starts with (the transport's `Hello`), if any.
    private let greeting: Wire.PeerMessage?
    /// A message as a complete frame sealed for `recipient`; nil when it cannot be encoded
    /// (the caller logs why).
    private let encode: @Sendable (_ message: Wire.PeerMessage, _ recipient: String) -> ByteBuffer?

    init(
        endpoint: Endpoint, settings: TransportSettings, group: any EventLoopGroup, counters: TransportCounters, logger: Logger,
        greeting: Wire.PeerMessage? = nil, encode: @escaping @Sendable (_ message: Wire.PeerMessage, _ recipient: String) -> ByteBuffer?
    ) {
        self.endpoint = endpoint
        self.greeting = greeting
        self.encode = encode
        self.settings = settings
        self.group = group
        self.counters = counters
        self.logger = logger
        state = Mutex(State(jitter: SplitMix64(seed: UInt64(truncatingIfNeeded: endpoint.hashValue))))
    }

    private enum Action {
        case none
        case write(any Channel, recipient: String)
        case dial
    }

    /// Sends `messages` in order, or drops (and counts) those the link cannot take now.
    func send(_ messages: [Wire.PeerMessage]) {
        var dropped = 0
        let action = state.withLock { state -> Action in
            switch state.phase {
            case .stopped:
                dropped = messages.count
                return .none
            case .connected(let channel, let recipient):
                guard channel.isWritable else {
                    dropped = messages.count
                    return .none
                }
                return .write(channel, recipient: recipient)
            case .idle:
                state.phase = .connecting(queue: bounded(messages, dropped: &dropped))
                return .dial
            case .connecting(let queue):
                state.phase = .connecting(queue: bounded(queue + messages, dropped: &dropped))
                return .none
            case .backingOff(let queue):
                state.phase = .backingOff(queue: bounded(queue + messages, dropped: &dropped))
                return .none
            }
        }
        if dropped > 0 { counters.record { $0.droppedOutgoing += UInt64(dropped) } }
        switch action {
        case .none: break
        case .write(let channel, let recipient): write(messages, to: channel, recipient: recipient)
        case .dial: dial()
        }
    }

    /// Closes the connection and refuses every later frame.
    func stop() {
        let channel = state.withLock { state -> (any Channel)? in
            defer { state.phase = .stopped }
            if case .connected(let channel, _) = state.phase { return channel }
            return nil
        }
        channel?.close(promise: nil)
    }

    private func bounded(_ frames: [Wire.PeerMessage], dropped: inout Int) -> [Wire.PeerMessage] {
        guard frames.count > settings.outgoingQueueFrames else { return frames }
        dropped += frames.count - settings.outgoingQueueFrames
        return Array(frames.prefix(settings.outgoingQueueFrames))
    }

    private func write(_ messages: [Wire.PeerMessage], to channel: any Channel, recipient: String) {
        let frames = messages.compactMap { encode($0, recipient) }
        guard !frames.isEmpty else { return }
        let bytes = frames.reduce(0) { $0 + $1.readableBytes }
        counters.record {
            $0.sentFrames += UInt64(frames.count)
            $0.sentBytes += UInt64(bytes)
        }
        if channel.eventLoop.inEventLoop {
            Self.writeAndFlush(frames, to: channel)
        } else {
            channel.eventLoop.execute { Self.writeAndFlush(frames, to: channel) }
        }
    }

    private static func writeAndFlush(_ frames: [ByteBuffer], to channel: any Channel) {
        for frame in frames { channel.write(NIOAny(frame), promise: nil) }
        channel.flush()
    }

    private func dial() {
        let timeout = TimeAmount.nanoseconds(settings.connectTimeout.nanoseconds)
        let highWater = Self.writeBufferHighWater
        var bootstrap = ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.writeBufferWaterMark, value: .init(low: highWater / 4, high: highWater))
        if let source = settings.dialSource { bootstrap = bootstrap.bind(to: source) }
        bootstrap
            .connect(host: endpoint.host, port: Int(endpoint.port))
            .whenComplete { result in
                switch result {
                case .success(let channel): self.connected(channel)
                case .failure(let error): self.broke(error: error)
                }
            }
    }

    private func connected(_ channel: any Channel) {
        guard let recipient = SealedAddress.text(of: channel.remoteAddress) else {
            channel.close(promise: nil)  // no far end to seal for: treated as a failed dial
            broke(error: SealedAddress.Unknown())
            return
        }
        let queued = state.withLock { state -> [Wire.PeerMessage]? in
            guard case .connecting(let queue) = state.phase else { return nil }
            state.phase = .connected(channel, recipient: recipient)
            state.failures = 0
            return queue
        }
        guard let queued else {
            channel.close(promise: nil)  // stopped while dialing
            return
        }
        channel.closeFuture.whenComplete { _ in
            self.broke(error: nil, channel: channel)
        }
        write((greeting.map { [$0] } ?? []) + queued, to: channel, recipient: recipient)
    }

    /// A dial failed (`channel` nil) or `channel` closed: drop what was waiting and back off.
    private func broke(error: (any Error)?, channel: (any Channel)? = nil) {
        var dropped = 0
        let outcome = state.withLock { state -> (delay: Duration, firstFailure: Bool)? in
            switch state.phase {
            case .connecting(let queue) where channel == nil:
                dropped = queue.count
            case .connected(let current, _) where channel.map({ $0 === current }) ?? false:
                break
            default:
                return nil  // stopped, or a stale callback
            }
            state.phase = .backingOff(queue: [])
            let delay = settings.reconnect.delay(attempt: state.failures, using: &state.jitter)
            defer { state.failures += 1 }
            return (delay, state.failures == 0)
        }
        if dropped > 0 { counters.record { $0.droppedOutgoing += UInt64(dropped) } }
        guard let outcome else { return }
        if outcome.firstFailure, let error {
            logger.debug("peer link down", metadata: ["peer.address": "\(endpoint)", "error": "\(error)"])
        }
        group.next().scheduleTask(in: .nanoseconds(outcome.delay.nanoseconds)) {
            self.backoffEnded()
        }
    }

    /// Dials again if frames arrived while backing off; otherwise waits for the next send.
    private func backoffEnded() {
        let redial = state.withLock { state -> Bool in
            guard case .backingOff(let queue) = state.phase else { return false }
            state.phase = queue.isEmpty ? .idle : .connecting(queue: queue)
            return !queue.isEmpty
        }
        if redial { dial() }
    }
}
