@testable import DNSServer
import Logging
import Synchronization
import NIOCore
import NIOEmbedded
import Telemetry

/// A query for `a.` type A with this ID (RD set), as a resolver sends it.
func query(id: UInt16) -> [UInt8] {
    [UInt8(id >> 8), UInt8(id & 0xFF), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x61, 0, 0, 1, 0, 1]
}

/// `message` behind its 2-byte length, as DNS over TCP carries it.
func framed(_ message: [UInt8]) -> [UInt8] {
    [UInt8(message.count >> 8), UInt8(message.count & 0xFF)] + message
}

/// An answer function that echoes the query as a response, padded to `size` bytes; nil
/// (no answer) for a message shorter than a header.
func echo(size: Int) -> DNSServer.Answer {
    { query, _ in
        guard query.count >= 12 else { return nil }
        var reply = query
        reply[2] |= 0x80
        return reply + Array(repeating: 0, count: max(0, size - reply.count))
    }
}

/// The server's shared defences with a registry to read their metrics from and the
/// warnings they logged.
struct Harness {
    let registry = MetricsRegistry()
    let warnings = CapturedWarnings()
    let defences: DNSDefences

    init(_ settings: DNSServerSettings = DNSServerSettings()) {
        let warnings = warnings
        defences = DNSDefences(
            settings: settings, metrics: DNSMetrics(registry: registry),
            logger: Logger(label: "dns-test", factory: { _ in CapturingLogHandler(warnings: warnings) })
        )
    }

    /// The value of one series (`name{labels}`) in the rendered metrics; 0 when absent.
    func value(_ series: String) -> Double {
        let text = String(decoding: registry.render(), as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1)) ?? .nan
        }
        return 0
    }

    /// A connection from `address` through the server's TCP setup; connected when admitted.
    func connection(from address: String, answer: @escaping DNSServer.Answer = echo(size: 40), socket: StalledSocket? = nil) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        if let socket { try channel.pipeline.syncOperations.addHandler(socket) }
        let remote = try SocketAddress(ipAddress: address, port: 40_000)
        channel.remoteAddress = remote
        try DNSServer.configureTCP(channel, defences: defences, answer: answer)
        // Refused connections were closed before a handler was added.
        if (try? channel.pipeline.syncOperations.handler(type: TCPConnectionHandler.self)) != nil {
            try channel.connect(to: remote).wait()
        }
        return channel
    }
}

/// The socket end of a pipeline whose peer does not read: it keeps every write unsent (its
/// promise pending) until ``drain()``, and counts the reads that reach it.
final class StalledSocket: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var held: [(ByteBuffer, EventLoopPromise<Void>?)] = []
    private(set) var reads = 0
    private(set) var sent: [ByteBuffer] = []

    var unsent: Int { held.count }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        held.append((unwrapOutboundIn(data), promise))
    }

    func flush(context: ChannelHandlerContext) {}

    func read(context: ChannelHandlerContext) {
        reads += 1
    }

    /// The peer reads everything written so far.
    func drain() {
        let taken = held
        held = []
        for (buffer, promise) in taken {
            sent.append(buffer)
            promise?.succeed()
        }
    }

    /// The IDs of the messages the peer has read, in order.
    var sentIDs: [UInt16] {
        sent.map { $0.getInteger(at: $0.readerIndex + 2, as: UInt16.self) ?? 0 }
    }
}

/// The messages of warnings logged, in order.
final class CapturedWarnings: Sendable {
    private let messages = Mutex<[String]>([])
    var all: [String] { messages.withLock { $0 } }
    func append(_ message: String) { messages.withLock { $0.append(message) } }
}

/// Keeps warnings (and worse) in a ``CapturedWarnings``.
struct CapturingLogHandler: LogHandler {
    let warnings: CapturedWarnings
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .warning

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        warnings.append("\(message) \(metadata?["dns.source"] ?? metadata?["remote"] ?? "")")
    }
}
