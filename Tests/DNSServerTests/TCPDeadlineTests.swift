@testable import DNSServer
import NIOCore
import NIOEmbedded
import Testing

/// Time limits on a TCP connection: a whole message within the deadline of its first byte
/// (a trickling client is closed), and the idle timeout.
@Suite struct TCPDeadlineTests {
    @Test func aMessageTrickledPastTheDeadlineClosesTheConnection() throws {
        let harness = Harness()
        let channel = try harness.connection(from: "192.0.2.1")
        let bytes = framed(query(id: 1))
        // A byte a second keeps the idle timeout (10 s) away, but not the deadline (5 s).
        for byte in bytes.prefix(5) {
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
            #expect(channel.isActive)
            channel.embeddedEventLoop.advanceTime(by: .milliseconds(1_010))
        }
        #expect(!channel.isActive)
        #expect(harness.value(#"ordinal_dns_closed_connections_total{reason="deadline"}"#) == 1)
    }

    @Test func eachMessageGetsItsOwnDeadline() throws {
        let harness = Harness()
        let channel = try harness.connection(from: "192.0.2.1")
        for id in UInt16(1)...4 {
            let bytes = framed(query(id: id))
            try channel.writeInbound(ByteBuffer(bytes: bytes.prefix(4)))
            channel.embeddedEventLoop.advanceTime(by: .seconds(3))
            try channel.writeInbound(ByteBuffer(bytes: bytes.dropFirst(4)))
            channel.embeddedEventLoop.advanceTime(by: .seconds(3))
        }
        #expect(channel.isActive)
        var replies = 0
        while try channel.readOutbound(as: ByteBuffer.self) != nil { replies += 1 }
        #expect(replies == 4)
    }

    @Test func anIdleConnectionIsClosed() throws {
        let harness = Harness()
        let channel = try harness.connection(from: "192.0.2.1")
        try channel.writeInbound(ByteBuffer(bytes: framed(query(id: 1))))
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive)
        #expect(harness.value(#"ordinal_dns_closed_connections_total{reason="idle"}"#) == 1)
    }

    @Test func aMessageWithNoAnswerClosesTheConnection() throws {
        let harness = Harness()
        let channel = try harness.connection(from: "192.0.2.1")
        try channel.writeInbound(ByteBuffer(bytes: framed([1, 2, 3])))
        #expect(!channel.isActive)
        #expect(harness.value(#"ordinal_dns_closed_connections_total{reason="malformed"}"#) == 1)
    }
}
