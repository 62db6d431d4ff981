@testable import DNSServer
import NIOCore
import NIOEmbedded
import Testing

/// A client that sends queries without reading the answers: the connection stops being
/// read, is closed past the larger bound or when it stays stalled, and resumes when the
/// client reads.
@Suite struct TCPBackpressureTests {
    func settings(pending: Int, maxPending: Int = 1 << 20, inFlight: Int = 64) -> DNSServerSettings {
        var settings = DNSServerSettings()
        settings.pendingAnswerBytes = pending
        settings.maxPendingAnswerBytes = maxPending
        settings.maxQueriesInFlight = inFlight
        return settings
    }

    @Test func readingStopsPastThePendingBoundAndResumesWhenTheClientReads() throws {
        let harness = Harness(settings(pending: 100))
        let socket = StalledSocket()
        let channel = try harness.connection(from: "192.0.2.1", answer: echo(size: 60), socket: socket)
        let readsAtStart = socket.reads

        try channel.writeInbound(ByteBuffer(bytes: framed(query(id: 1))))
        channel.read()
        #expect(socket.reads == readsAtStart + 1, "62 bytes unsent: still read")

        try channel.writeInbound(ByteBuffer(bytes: framed(query(id: 2))))
        channel.read()
        #expect(socket.reads == readsAtStart + 1, "124 bytes unsent: not read")
        #expect(socket.unsent == 2)

        socket.drain()
        #expect(socket.reads == readsAtStart + 2, "the held read goes out once the answers drained")
        #expect(socket.sentIDs == [1, 2])
        #expect(channel.isActive)
    }

    @Test func pastTheLargerBoundTheConnectionIsClosed() throws {
        let harness = Harness(settings(pending: 100, maxPending: 200))
        let socket = StalledSocket()
        let channel = try harness.connection(from: "192.0.2.1", answer: echo(size: 150), socket: socket)
        try channel.writeInbound(ByteBuffer(bytes: (1...10).flatMap { framed(query(id: $0)) }))
        #expect(!channel.isActive)
        #expect(socket.unsent == 2, "closed at the answer that passed 200 unsent bytes")
        #expect(harness.value(#"ordinal_dns_closed_connections_total{reason="backlog"}"#) == 1)
        channel.embeddedEventLoop.run()
        #expect(harness.defences.connections == 0, "the slot is given back")
    }

    @Test func atTheQueryCapTheRestWaitsInOrder() throws {
        let harness = Harness(settings(pending: 1 << 20, inFlight: 2))
        let socket = StalledSocket()
        let channel = try harness.connection(from: "192.0.2.1", socket: socket)
        let readsAtStart = socket.reads
        try channel.writeInbound(ByteBuffer(bytes: (1...5).flatMap { framed(query(id: $0)) }))
        #expect(socket.unsent == 2)
        channel.read()
        #expect(socket.reads == readsAtStart, "two answers in flight: not read")
        socket.drain()
        #expect(socket.unsent == 2)
        socket.drain()
        #expect(socket.unsent == 1)
        socket.drain()
        #expect(socket.sentIDs == [1, 2, 3, 4, 5])
        #expect(socket.reads == readsAtStart + 1)
        #expect(channel.isActive)
    }

    @Test func aConnectionStalledPastTheTimeoutIsClosed() throws {
        let harness = Harness(settings(pending: 100))
        let socket = StalledSocket()
        let channel = try harness.connection(from: "192.0.2.1", answer: echo(size: 200), socket: socket)
        try channel.writeInbound(ByteBuffer(bytes: framed(query(id: 1))))
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(4_900))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(200))
        #expect(!channel.isActive)
        #expect(harness.value(#"ordinal_dns_closed_connections_total{reason="stalled"}"#) == 1)
    }

    /// A client pipelining queries gets its connection's rate and no more: the rest wait,
    /// unread, and are answered in order as tokens accrue.
    @Test func pastItsRateAConnectionIsAnsweredOnlyAsTokensAccrue() throws {
        var paced = settings(pending: 1 << 20)
        paced.tcpQueriesPerSecond = 4
        let harness = Harness(paced)
        let socket = StalledSocket()
        let channel = try harness.connection(from: "192.0.2.1", socket: socket)
        let readsAtStart = socket.reads
        try channel.writeInbound(ByteBuffer(bytes: (1...10).flatMap { framed(query(id: $0)) }))
        socket.drain()
        #expect(socket.sentIDs == [1, 2, 3, 4], "a second's burst")
        channel.read()
        #expect(socket.reads == readsAtStart, "out of tokens: not read")
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(500))
        socket.drain()
        #expect(socket.sentIDs == Array(1...6), "two more in half a second")
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        socket.drain()
        #expect(socket.sentIDs == Array(1...10))
        #expect(socket.reads == readsAtStart + 1, "the held read goes out once the rest is answered")
        #expect(channel.isActive, "pacing never closes a connection")
    }
}
