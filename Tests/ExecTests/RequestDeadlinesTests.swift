import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import Synchronization
import Testing
@testable import Exec

/// Go's `http.Server` read deadlines on the API's connections (issue 26): a head or a body
/// that does not arrive in time closes the connection; a response in progress never does.
@Suite struct RequestDeadlinesTests {
    /// The parts whose deadline passed, in order.
    final class Expired: Sendable {
        let parts = Mutex<[String]>([])
    }

    /// The API's pipeline in small: the clock before the HTTP decoder, the phases after it.
    final class Connection {
        let channel = EmbeddedChannel()
        let expired = Expired()
        var loop: EmbeddedEventLoop { channel.embeddedEventLoop }

        init() throws {
            var deadlines = RequestDeadlines()
            deadlines.head = .seconds(10)
            deadlines.body = .seconds(60)
            let expired = expired
            deadlines.expired = { part in expired.parts.withLock { $0.append(part) } }
            let sync = channel.pipeline.syncOperations
            try sync.addHandler(RequestClockHandler(deadlines: deadlines))
            try sync.addHandler(ByteToMessageHandler(HTTPRequestDecoder()))
            try sync.addHandler(HTTPResponseEncoder())
            try sync.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            try sync.addHandler(RequestPhaseHandler())
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        }

        func send(_ text: String) throws {
            try channel.writeInbound(ByteBuffer(string: text))
            while try channel.readInbound(as: HTTPRequestPart.self) != nil {}
        }

        func respond() throws {
            try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
            try channel.writeOutbound(HTTPResponsePart.end(nil))
        }

        var isOpen: Bool { channel.isActive }
    }

    @Test func aHeadThatDoesNotEndInTimeClosesTheConnection() throws {
        let connection = try Connection()
        try connection.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        try connection.respond()
        try connection.send("GET / HTTP/1.1\r\n")
        connection.loop.advanceTime(by: .seconds(9))
        try connection.send("Host: x\r\n")
        #expect(connection.isOpen, "a head still within its 10 s")
        connection.loop.advanceTime(by: .seconds(1))
        #expect(!connection.isOpen, "bytes that keep coming do not extend the head's deadline")
        #expect(connection.expired.parts.withLock { $0 } == ["head"])
    }

    @Test func aBodyThatDoesNotEndInTimeClosesTheConnection() throws {
        let connection = try Connection()
        try connection.send("PUT /x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789")
        connection.loop.advanceTime(by: .seconds(59))
        #expect(connection.isOpen)
        connection.loop.advanceTime(by: .seconds(1))
        #expect(!connection.isOpen)
        #expect(connection.expired.parts.withLock { $0 } == ["body"])
    }

    @Test func aResponseInProgressAndTheWaitBetweenRequestsAreNotCut() throws {
        let connection = try Connection()
        try connection.send("GET /watch HTTP/1.1\r\nHost: x\r\n\r\n")
        // A watch answers for as long as it likes.
        connection.loop.advanceTime(by: .seconds(600))
        #expect(connection.isOpen)
        try connection.respond()
        // Between requests only the idle timeout (another handler) applies.
        connection.loop.advanceTime(by: .seconds(600))
        #expect(connection.isOpen)
        try connection.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        connection.loop.advanceTime(by: .seconds(600))
        #expect(connection.isOpen)
        #expect(connection.expired.parts.withLock { $0 }.isEmpty)
    }

    @Test func aConnectionWhoseFirstRequestDecidesNothingIsNotTimedByThem() throws {
        // An upgraded exec stream never passes the phase handler: its bytes start no clock.
        let channel = EmbeddedChannel()
        var deadlines = RequestDeadlines()
        deadlines.head = .seconds(1)
        try channel.pipeline.syncOperations.addHandler(RequestClockHandler(deadlines: deadlines))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try channel.writeInbound(ByteBuffer(string: "stream bytes"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(channel.isActive)
    }
}
