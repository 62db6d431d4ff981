import Basics
import Logging
import NIOCore
import NIOPosix

/// The outgoing half of the connection to one peer: a bounded queue of encoded frames and a
/// task that dials on demand and writes them in order.
///
/// The link dials only when it has something to send, so a link to a peer that is gone costs
/// nothing while idle. A failed dial or write drops the frame at hand and backs off; gossip
/// and Raft both tolerate a lost message, and neither wants a stale backlog replayed.
final class PeerLink: Sendable {
    let endpoint: Endpoint
    private let frames: AsyncStream<ByteBuffer>
    private let continuation: AsyncStream<ByteBuffer>.Continuation

    init(endpoint: Endpoint, capacity: Int) {
        self.endpoint = endpoint
        (frames, continuation) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingOldest(capacity))
    }

    /// Queues a frame; `false` when the queue is full or the link has stopped.
    func enqueue(_ frame: ByteBuffer) -> Bool {
        if case .enqueued = continuation.yield(frame) { return true }
        return false
    }

    func finish() {
        continuation.finish()
    }

    /// Writes queued frames until the queue finishes or the task is cancelled.
    func run(settings: TransportSettings, group: any EventLoopGroup, counters: TransportCounters, logger: Logger) async {
        var iterator = frames.makeAsyncIterator()
        var failures = 0
        var jitter = SplitMix64(seed: UInt64(truncatingIfNeeded: endpoint.hashValue))
        while !Task.isCancelled, let first = await iterator.next() {
            do {
                let channel = try await connect(settings: settings, group: group)
                failures = 0
                try await channel.executeThenClose { _, outbound in
                    var next: ByteBuffer? = first
                    while let frame = next {
                        try await outbound.write(frame)
                        counters.record { $0.sentFrames += 1 }
                        next = await iterator.next()
                    }
                }
                return
            } catch {
                counters.record { $0.droppedOutgoing += 1 }
                if failures == 0 {
                    logger.debug("peer link down", metadata: ["peer.address": "\(endpoint)", "error": "\(error)"])
                }
                let delay = settings.reconnect.delay(attempt: failures, using: &jitter)
                failures += 1
                try? await Task.sleep(for: delay)
            }
        }
    }

    private func connect(settings: TransportSettings, group: any EventLoopGroup) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        let timeout = TimeAmount.nanoseconds(settings.connectTimeout.nanoseconds)
        return try await ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: endpoint.host, port: Int(endpoint.port)) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }
}
