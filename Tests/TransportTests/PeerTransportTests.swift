import Basics
import Logging
import Membership
import NIOCore
import NIOPosix
import Synchronization
import Testing
import PeerMessages
import Wire
@testable import Transport

/// Real sockets on loopback (127.0.77.x, ports 174xx), bounded in time.
@Suite(.serialized) struct PeerTransportTests {
    static let keyA = [UInt8](repeating: 7, count: 32)
    static let keyB = [UInt8](repeating: 9, count: 32)

    /// A transport whose deliveries land in `inbox`.
    func makeTransport(_ address: Endpoint, key: [UInt8]?, inbox: Inbox, tune: (inout TransportSettings) -> Void = { _ in }) throws -> PeerTransport {
        var settings = TransportSettings(bind: address)
        tune(&settings)
        return PeerTransport(
            settings: settings,
            codec: Wire.PeerCodec(keyring: try Wire.Keyring(key: key), maxFrameBytes: 1 << 20),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            deliver: { messages in inbox.received.withLock { $0[address, default: []].append(contentsOf: messages) } }
        )
    }

    func ping(from name: String, _ address: Endpoint, sequence: UInt64) -> Wire.PeerMessage {
        .gossip(Membership.Envelope(sender: NodeID(name), senderAddress: address, message: .ping(sequence: sequence)))
    }

    /// Everything each transport delivered, by the transport's address.
    final class Inbox: Sendable {
        let received = Mutex([Endpoint: [Wire.PeerMessage]]())

        /// Takes the oldest message `transport` received, waiting at most `limit`.
        func next(_ transport: PeerTransport, within limit: Duration) async -> Wire.PeerMessage? {
            let deadline = ContinuousClock.now + limit
            while ContinuousClock.now < deadline {
                let message = received.withLock { table -> Wire.PeerMessage? in
                    guard var queue = table[transport.settings.bind], !queue.isEmpty else { return nil }
                    let first = queue.removeFirst()
                    table[transport.settings.bind] = queue
                    return first
                }
                if let message { return message }
                try? await Task.sleep(for: .milliseconds(10))
            }
            return nil
        }
    }

    /// Runs the transports for the duration of `body`, then stops them.
    func running(_ transports: [PeerTransport], _ body: () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for transport in transports {
                group.addTask { try await transport.run() }
            }
            try await Task.sleep(for: .milliseconds(100))
            do {
                try await body()
            } catch {
                transports.forEach { $0.stop() }
                throw error
            }
            transports.forEach { $0.stop() }
            try await group.waitForAll()
        }
    }

    @Test func deliversAMessageBetweenTwoAgents() async throws {
        let addressA = Endpoint(host: "127.0.77.1", port: 17401)
        let addressB = Endpoint(host: "127.0.77.2", port: 17401)
        let inbox = Inbox()
        let a = try makeTransport(addressA, key: Self.keyA, inbox: inbox)
        let b = try makeTransport(addressB, key: Self.keyA, inbox: inbox)
        try await running([a, b]) {
            a.send(ping(from: "a", addressA, sequence: 41), to: addressB)
            let received = await inbox.next(b, within: .seconds(5))
            #expect(received == ping(from: "a", addressA, sequence: 41))
            #expect(a.counters.snapshot.sentFrames == 1)
        }
    }

    @Test func strangerWithoutTheKeyIsRejectedAndMembersStillTalk() async throws {
        let addressA = Endpoint(host: "127.0.77.1", port: 17402)
        let addressB = Endpoint(host: "127.0.77.2", port: 17402)
        let addressS = Endpoint(host: "127.0.77.3", port: 17402)
        let inbox = Inbox()
        let a = try makeTransport(addressA, key: Self.keyA, inbox: inbox)
        let b = try makeTransport(addressB, key: Self.keyA, inbox: inbox)
        let stranger = try makeTransport(addressS, key: Self.keyB, inbox: inbox)
        let plaintext = try makeTransport(Endpoint(host: "127.0.77.4", port: 17402), key: nil, inbox: inbox)
        try await running([a, b, stranger, plaintext]) {
            stranger.send(ping(from: "s", addressS, sequence: 1), to: addressB)
            plaintext.send(ping(from: "p", addressS, sequence: 2), to: addressB)
            let deadline = ContinuousClock.now + .seconds(5)
            while b.counters.snapshot.rejectedFrames < 2 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(b.counters.snapshot.rejectedFrames == 2)
            #expect(await inbox.next(b, within: .milliseconds(200)) == nil)
            a.send(ping(from: "a", addressA, sequence: 3), to: addressB)
            #expect(await inbox.next(b, within: .seconds(5)) == ping(from: "a", addressA, sequence: 3))
        }
    }

    @Test(arguments: [
        [UInt8](repeating: 0xFF, count: 64),        // length prefix far over the bound
        [0, 0, 0, 4, 1, 2, 3, 4],                   // a frame that does not parse
        [0, 0, 0, 0],                               // zero-length frame
        Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8),
    ])
    func garbageOnThePeerPortChangesNothing(garbage: [UInt8]) async throws {
        let addressA = Endpoint(host: "127.0.77.1", port: 17403)
        let addressB = Endpoint(host: "127.0.77.2", port: 17403)
        let inbox = Inbox()
        let a = try makeTransport(addressA, key: nil, inbox: inbox)
        let b = try makeTransport(addressB, key: nil, inbox: inbox)
        try await running([a, b]) {
            let raw = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: addressB.host, port: Int(addressB.port)).get()
            try await raw.writeAndFlush(ByteBuffer(bytes: garbage))
            #expect(await inbox.next(b, within: .milliseconds(300)) == nil)
            try? await raw.close()
            #expect(b.counters.snapshot.rejectedConnections >= 1)
            a.send(ping(from: "a", addressA, sequence: 5), to: addressB)
            #expect(await inbox.next(b, within: .seconds(5)) == ping(from: "a", addressA, sequence: 5))
        }
    }

    /// A stranger that connects and trickles part of a frame holds the connection (and its
    /// buffer) only until the first-frame deadline; members still get through.
    @Test func aConnectionWithoutAValidFirstFrameIsClosedAtTheDeadline() async throws {
        let addressA = Endpoint(host: "127.0.77.1", port: 17405)
        let addressB = Endpoint(host: "127.0.77.2", port: 17405)
        let inbox = Inbox()
        let a = try makeTransport(addressA, key: nil, inbox: inbox)
        let b = try makeTransport(addressB, key: nil, inbox: inbox) { $0.firstFrameTimeout = .milliseconds(300) }
        try await running([a, b]) {
            let raw = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: addressB.host, port: Int(addressB.port)).get()
            try await raw.writeAndFlush(ByteBuffer(bytes: [0, 0, 0, 200, 1, 2, 3]))
            let closed = try await withTimeout(.seconds(3)) { try await raw.closeFuture.get() }
            #expect(closed, "closed by the agent at the deadline")
            #expect(b.counters.snapshot.rejectedConnections >= 1)
            a.send(ping(from: "a", addressA, sequence: 7), to: addressB)
            #expect(await inbox.next(b, within: .seconds(5)) == ping(from: "a", addressA, sequence: 7))
        }
    }

    /// Past the cap, a new inbound connection is closed as it is accepted, and counted.
    @Test func inboundConnectionsAreCapped() async throws {
        let addressB = Endpoint(host: "127.0.77.2", port: 17406)
        let inbox = Inbox()
        let b = try makeTransport(addressB, key: nil, inbox: inbox) { $0.maxInboundConnections = 4 }
        try await running([b]) {
            var raws: [any Channel] = []
            for _ in 0 ..< 8 {
                raws.append(try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connect(host: addressB.host, port: Int(addressB.port)).get())
            }
            try await Task.sleep(for: .milliseconds(500))
            let open = raws.filter(\.isActive).count
            #expect(open == 4, "\(open) of 8 held open")
            #expect(b.counters.snapshot.refusedConnections == 4)
            for raw in raws { try? await raw.close() }
        }
    }

    /// Whether `operation` finished within `limit`.
    func withTimeout(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> Void) async throws -> Bool {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await operation()
                return true
            }
            group.addTask {
                try await Task.sleep(for: limit)
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    /// Until a connection delivered a frame that opens and parses, its frames may be at
    /// most 4 KiB: a stranger cannot make the agent buffer a 4 MiB frame. Agents greet
    /// every connection they dial with a small `Hello`, so their large frames still pass.
    @Test func aLargeFirstFrameIsRefusedButAGreetedConnectionCarriesLargeFrames() async throws {
        let addressA = Endpoint(host: "127.0.77.1", port: 17407)
        let addressB = Endpoint(host: "127.0.77.2", port: 17407)
        let inbox = Inbox()
        let a = try makeTransport(addressA, key: Self.keyA, inbox: inbox) { $0.identity = NodeID("a") }
        let b = try makeTransport(addressB, key: Self.keyA, inbox: inbox)
        try await running([a, b]) {
            let raw = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: addressB.host, port: Int(addressB.port)).get()
            try await raw.writeAndFlush(ByteBuffer(bytes: [0, 0, 0x20, 0] + [UInt8](repeating: 7, count: 100)))
            #expect(try await withTimeout(.seconds(2)) { try await raw.closeFuture.get() }, "an 8 KiB first frame closes the connection")
            let members = (0 ..< 300).map { Membership.Member(id: NodeID("member-\($0)"), address: Endpoint(host: "10.1.\($0 / 250).\($0 % 250)", port: 7400), status: .alive, incarnation: 1) }
            let large = Wire.PeerMessage.gossip(Membership.Envelope(sender: NodeID("a"), senderAddress: addressA, message: .ping(sequence: 9), gossip: members))
            #expect(try Wire.PeerCodec(keyring: try Wire.Keyring(key: Self.keyA)).encode(large, to: "127.0.0.1:1").count > 8_192)
            a.send(large, to: addressB)
            #expect(await inbox.next(b, within: .seconds(5)) == large, "the greeting opened the way")
        }
    }
}
