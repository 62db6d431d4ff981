import AgentCore
import Basics
import NIOCore
import NIOPosix
import Synchronization
import Testing
import PeerMessages
import Wire
@testable import Transport

/// On real sockets (127.0.77.x, ports 1741x): frames bound to the address they were sent
/// to, misdirected messages dropped, agents dialing from their own address, and slots a
/// member gets back even while strangers hold the rest.
extension PeerTransportTests {
    /// A raw client connection from `source`, as a stranger (or a recorder) makes.
    func rawConnection(to address: Endpoint, from source: String = "127.0.0.1") async throws -> any Channel {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(to: SocketAddress(ipAddress: source, port: 0))
            .connect(host: address.host, port: Int(address.port)).get()
    }

    @Test func aFrameSealedForAnotherAddressIsRefused() async throws {
        let addressB = Endpoint(host: "127.0.77.2", port: 17410)
        let inbox = Inbox()
        let b = try makeTransport(addressB, key: Self.keyA, inbox: inbox)
        let codec = Wire.PeerCodec(keyring: try Wire.Keyring(key: Self.keyA))
        let message = ping(from: "a", Endpoint(host: "127.0.77.1", port: 17410), sequence: 3)
        try await running([b]) {
            let replay = try await rawConnection(to: addressB)
            try await replay.writeAndFlush(ByteBuffer(bytes: codec.encode(message, to: "127.0.77.3:17410")))
            #expect(try await withTimeout(.seconds(3)) { try await replay.closeFuture.get() }, "refused and closed")
            #expect(b.counters.snapshot.rejectedFrames == 1)
            let honest = try await rawConnection(to: addressB)
            try await honest.writeAndFlush(ByteBuffer(bytes: codec.encode(message, to: "127.0.77.2:17410")))
            #expect(await inbox.next(b, within: .seconds(5)) == message)
            try? await honest.close()
        }
    }

    @Test func aMessageForAnotherAgentIsDroppedAndCountedButTheConnectionStays() async throws {
        let addressB = Endpoint(host: "127.0.77.2", port: 17411)
        let inbox = Inbox()
        let b = try makeTransport(addressB, key: Self.keyA, inbox: inbox) { $0.identity = NodeID("b") }
        let codec = Wire.PeerCodec(keyring: try Wire.Keyring(key: Self.keyA))
        let misdirected = Wire.PeerMessage.lease(.request(from: NodeID("a"), to: NodeID("c"), sequence: 1))
        let addressed = Wire.PeerMessage.lease(.request(from: NodeID("a"), to: NodeID("b"), sequence: 2))
        try await running([b]) {
            let raw = try await rawConnection(to: addressB)
            try await raw.writeAndFlush(ByteBuffer(bytes: codec.encode(misdirected, to: "127.0.77.2:17411") + codec.encode(addressed, to: "127.0.77.2:17411")))
            #expect(await inbox.next(b, within: .seconds(5)) == addressed)
            #expect(b.counters.snapshot.misdirectedFrames == 1)
            #expect(raw.isActive)
            try? await raw.close()
        }
    }

    @Test func agentsDialFromTheirBindAddress() async throws {
        let addressA = Endpoint(host: "127.0.77.1", port: 17412)
        let listener = Endpoint(host: "127.0.77.9", port: 17412)
        let sources = Mutex<[String]>([])
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                sources.withLock { $0.append(channel.remoteAddress?.ipAddress ?? "none") }
                return channel.eventLoop.makeSucceededVoidFuture()
            }
            .bind(host: listener.host, port: Int(listener.port)).get()
        let a = try makeTransport(addressA, key: nil, inbox: Inbox())
        try await running([a]) {
            a.send(ping(from: "a", addressA, sequence: 1), to: listener)
            let deadline = ContinuousClock.now + .seconds(5)
            while sources.withLock({ $0.isEmpty }), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(sources.withLock { $0 } == ["127.0.77.1"])
        }
        try await server.close()
    }

    /// Strangers hold every unproven slot from loopback addresses (one of them at the
    /// per-address cap), yet a member dialing from its own address gets in.
    @Test func strangersFillingTheSlotsDoNotKeepAMemberOut() async throws {
        let addressA = Endpoint(host: "127.0.77.1", port: 17413)
        let addressB = Endpoint(host: "127.0.77.2", port: 17413)
        let inbox = Inbox()
        let a = try makeTransport(addressA, key: Self.keyA, inbox: inbox) { $0.identity = NodeID("a") }
        let b = try makeTransport(addressB, key: Self.keyA, inbox: inbox) {
            $0.maxUnprovenConnections = 4
            $0.maxUnprovenPerAddress = 2
        }
        try await running([a, b]) {
            var strangers: [any Channel] = []
            for index in 0 ..< 8 { strangers.append(try await rawConnection(to: addressB, from: "127.0.77.\(50 + index % 3)")) }
            try await Task.sleep(for: .milliseconds(300))
            #expect(strangers.filter(\.isActive).count == 4, "two per address, four in all")
            let counted = b.counters.snapshot
            #expect(counted.evictedConnections + counted.refusedConnections == 4, "every connection turned away is counted")
            b.remember(members: [NodeID("a")], addresses: [addressA])
            a.send(ping(from: "a", addressA, sequence: 5), to: addressB)
            #expect(await inbox.next(b, within: .seconds(5)) == ping(from: "a", addressA, sequence: 5))
            for stranger in strangers { try? await stranger.close() }
        }
    }
}
