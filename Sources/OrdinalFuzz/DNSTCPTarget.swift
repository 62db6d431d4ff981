import Basics
import DNS
import DNSServer
import Logging
import NIOCore
import NIOEmbedded
import Telemetry

/// A TCP stream to the DNS server, through the connection pipeline the server installs (the
/// caps, framing, bounded answering and its timeouts), answered by the `dns` target's
/// responder. The first byte seeds how the rest is split into reads; its low bit says
/// whether virtual time passes a second between reads (so the message deadline and the idle
/// timeout run too).
///
/// Traps when the replies are not, in order, the responder's replies to the stream's
/// messages, when a reply is framed wrongly, or when a closed connection keeps its slot.
enum DNSTCPTarget {
    static let defences = DNSDefences(
        settings: DNSServerSettings(), metrics: DNSMetrics(registry: MetricsRegistry()),
        logger: Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() })
    )

    static func run(_ data: [UInt8]) {
        guard let control = data.first else { return }
        let channel = EmbeddedChannel()
        let client = try! SocketAddress(ipAddress: "192.0.2.1", port: 5353)
        channel.remoteAddress = client
        try! DNSServer.configureTCP(channel, defences: defences) { query, _ in
            DNSTarget.responder.respond(to: query, transport: .tcp, index: DNSTarget.index)
        }
        _ = try? channel.connect(to: client).wait()
        var random = SplitMix64(seed: UInt64(control))
        var rest = data.dropFirst()
        var replies: [[UInt8]] = []
        while !rest.isEmpty, channel.isActive {
            let count = Int.random(in: 1...rest.count, using: &random)
            _ = try? channel.writeInbound(ByteBuffer(bytes: rest.prefix(count)))
            rest = rest.dropFirst(count)
            if control & 1 == 1 { channel.embeddedEventLoop.advanceTime(by: .seconds(1)) }
            while let frame = try? channel.readOutbound(as: ByteBuffer.self) {
                let length = frame.getInteger(at: frame.readerIndex, as: UInt16.self)
                precondition(length.map { Int($0) + 2 } == frame.readableBytes, "a reply framed wrongly: \(frame)")
                replies.append(Array(frame.readableBytesView.dropFirst(2)))
            }
        }
        var stream = ByteBuffer(bytes: data.dropFirst())
        for reply in replies {
            guard let length = stream.readInteger(as: UInt16.self), let query = stream.readBytes(length: Int(length)) else {
                preconditionFailure("a reply \(reply) to no query in \(data)")
            }
            let expected = DNSTarget.responder.respond(to: query, transport: .tcp, index: DNSTarget.index)
            precondition(reply == expected, "the reply \(reply) to \(query) is not the responder's \(expected ?? [])")
        }
        _ = try? channel.finish(acceptAlreadyClosed: true)
        precondition(defences.connections == 0, "a closed connection kept its slot")
    }
}
