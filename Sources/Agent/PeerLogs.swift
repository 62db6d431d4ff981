import AgentCore
import Basics
import Synchronization

/// Pod log streams over the peer transport (``AgentCore/LogMessage``): the streams this
/// agent reads for its clients from the agents that run their pods, and the streams it
/// serves to other agents from its own pods' log files.
///
/// Every stream ends by itself: a reader fails once it has heard nothing (not even a
/// keep-alive) for ``silence``, or when a chunk is missing; a served stream stops at the
/// end of the file (without follow), when its pod is gone, when the reader cancels, when
/// a chunk reaches a reader that no longer knows the stream (it answers with a cancel), or
/// when the reading agent is gone from gossip.
final class PeerLogs: Sendable {
    /// Largest chunk of log bytes in one frame.
    static let chunkBytes = 64 << 10
    /// A following stream with nothing new sends an empty chunk this often.
    static let keepAlive: Duration = .seconds(5)
    /// A reader that heard nothing for this long gives up.
    static let silence: Duration = .seconds(15)
    /// Most streams served to other agents at once; more are refused.
    static let maxServed = 64

    private struct Reader {
        let continuation: AsyncThrowingStream<[UInt8], any Error>.Continuation
        let node: NodeID
        var next: UInt64 = 0
        var lastHeard: Instant
    }

    private struct Served: Hashable {
        var reader: NodeID
        var stream: UInt64
    }

    private let me: NodeID
    private let send: @Sendable (LogMessage, NodeID) -> Void
    private let readers = Mutex<[UInt64: Reader]>([:])
    private let served = Mutex<[Served: Task<Void, Never>]>([:])
    private let nextStream = Atomic<UInt64>(UInt64.random(in: 1 ... UInt64.max >> 1))

    /// - Parameter send: hands a message to the peer transport for the named agent (dropped
    ///   when gossip knows no address for it).
    init(me: NodeID, send: @escaping @Sendable (LogMessage, NodeID) -> Void) {
        self.me = me
        self.send = send
    }

    // MARK: Reading for this agent's clients

    /// Asks `node` for a log; the stream ends when the serving agent ends it, fails when it
    /// falls silent, and cancels the request when the client stops reading.
    func read(_ target: LogMessage.Target, from node: NodeID, now: Instant) -> AsyncThrowingStream<[UInt8], any Error> {
        let stream = nextStream.wrappingAdd(1, ordering: .relaxed).newValue
        let (output, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        readers.withLock { $0[stream] = Reader(continuation: continuation, node: node, lastHeard: now) }
        continuation.onTermination = { [weak self, me, send] termination in
            guard let self, self.readers.withLock({ $0.removeValue(forKey: stream) }) != nil else { return }
            if case .cancelled = termination { send(.cancel(from: me, to: node, stream: stream), node) }
        }
        send(.request(from: me, to: node, stream: stream, target: target), node)
        return output
    }

    /// Fails the readers that heard nothing for ``silence``.
    func expireSilentReaders(now: Instant) {
        let silent = readers.withLock { readers in
            let ids = readers.compactMap { now - $0.value.lastHeard > Self.silence ? $0.key : nil }
            return ids.compactMap { id in readers.removeValue(forKey: id).map { (id, $0) } }
        }
        for (id, reader) in silent {
            reader.continuation.finish(throwing: LogStreamError(reason: "node \(reader.node.name) sent nothing for \(Self.silence)"))
            send(.cancel(from: me, to: reader.node, stream: id), reader.node)
        }
    }

    /// What a chunk does to its reader: bytes to hand on, and whether the stream ends
    /// (with an error, or cleanly).
    private struct Delivery {
        var continuation: AsyncThrowingStream<[UInt8], any Error>.Continuation
        var data: [UInt8] = []
        var ends = false
        var error: LogStreamError?
    }

    private func receiveChunk(from node: NodeID, stream: UInt64, sequence: UInt64, data: [UInt8], end: LogMessage.End?, now: Instant) {
        let delivery: Delivery? = readers.withLock { readers in
            guard var reader = readers[stream], reader.node == node else { return nil }
            guard sequence == reader.next else {
                readers[stream] = nil
                return Delivery(continuation: reader.continuation, ends: true, error: LogStreamError(reason: "the log stream from node \(node.name) lost a chunk"))
            }
            reader.next += 1
            reader.lastHeard = now
            var delivery = Delivery(continuation: reader.continuation, data: data)
            switch end {
            case nil: readers[stream] = reader
            case .finished?:
                readers[stream] = nil
                delivery.ends = true
            case .failed(let reason)?:
                readers[stream] = nil
                delivery.ends = true
                delivery.error = LogStreamError(reason: reason)
            }
            return delivery
        }
        guard let delivery else {
            // A reader that is gone (its client left, its agent restarted) stops the sender.
            if end == nil { send(.cancel(from: me, to: node, stream: stream), node) }
            return
        }
        if !delivery.data.isEmpty { delivery.continuation.yield(delivery.data) }
        if delivery.ends { delivery.continuation.finish(throwing: delivery.error) }
    }

    // MARK: Serving other agents

    /// Handles a message from another agent.
    /// - Parameters:
    ///   - open: the log a request asks for, read from this agent's disk, or why not.
    ///   - isMember: whether an agent is a live member (only members are served).
    func receive(
        _ message: LogMessage, now: Instant,
        open: (LogMessage.Target) -> Result<AsyncThrowingStream<[UInt8], any Error>, LogStreamError>,
        isMember: @escaping @Sendable (NodeID) -> Bool
    ) {
        guard message.to == me else { return }
        switch message {
        case .chunk(let from, _, let stream, let sequence, let data, let end):
            receiveChunk(from: from, stream: stream, sequence: sequence, data: data, end: end, now: now)
        case .cancel(let from, _, let stream):
            served.withLock { $0.removeValue(forKey: Served(reader: from, stream: stream)) }?.cancel()
        case .request(let from, _, let stream, let target):
            guard isMember(from) else { return }
            let key = Served(reader: from, stream: stream)
            let full = served.withLock { $0.count >= Self.maxServed || $0[key] != nil }
            if full {
                send(.chunk(from: me, to: from, stream: stream, sequence: 0, data: [], end: .failed("node \(me.name) serves too many log streams")), from)
                return
            }
            switch open(target) {
            case .failure(let error):
                send(.chunk(from: me, to: from, stream: stream, sequence: 0, data: [], end: .failed(error.reason)), from)
            case .success(let log):
                serve(log, to: key, isMember: isMember)
            }
        }
    }

    private func serve(_ log: AsyncThrowingStream<[UInt8], any Error>, to key: Served, isMember: @escaping @Sendable (NodeID) -> Bool) {
        let (me, send) = (me, send)
        served.withLock { served in
            served[key] = Task { [weak self] in
                var sequence: UInt64 = 0
                func chunk(_ data: [UInt8], end: LogMessage.End?) {
                    send(.chunk(from: me, to: key.reader, stream: key.stream, sequence: sequence, data: data, end: end), key.reader)
                    sequence += 1
                }
                var end = LogMessage.End.finished
                do {
                    for try await bytes in log {
                        guard !Task.isCancelled, isMember(key.reader) else { return }
                        if bytes.isEmpty { chunk([], end: nil) }
                        var start = 0
                        while start < bytes.count {
                            let stop = min(start + Self.chunkBytes, bytes.count)
                            chunk(Array(bytes[start ..< stop]), end: nil)
                            start = stop
                        }
                    }
                } catch {
                    end = .failed("\(error)")
                }
                if !Task.isCancelled { chunk([], end: end) }
                _ = self?.served.withLock { $0.removeValue(forKey: key) }
            }
        }
    }

    /// Stops every stream, served or read.
    func close() {
        let tasks = served.withLock { served in
            defer { served = [:] }
            return Array(served.values)
        }
        for task in tasks { task.cancel() }
        let open = readers.withLock { readers in
            defer { readers = [:] }
            return Array(readers.values)
        }
        for reader in open { reader.continuation.finish(throwing: LogStreamError(reason: "the agent is stopping")) }
    }
}

/// Why a log stream could not be read.
struct LogStreamError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
