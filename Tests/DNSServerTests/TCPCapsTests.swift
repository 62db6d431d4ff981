@testable import DNSServer
import NIOCore
import NIOEmbedded
import Testing

/// The connection caps: in all and per address (loopback included), each refusal counted,
/// and a closed connection's slot given back.
@Suite struct TCPCapsTests {
    func settings(total: Int, perSource: Int) -> DNSServerSettings {
        var settings = DNSServerSettings()
        settings.maxConnections = total
        settings.maxConnectionsPerSource = perSource
        return settings
    }

    @Test func oneAddressGetsAtMostItsShareLoopbackIncluded() throws {
        let harness = Harness(settings(total: 8, perSource: 2))
        let first = try harness.connection(from: "127.0.0.1")
        let second = try harness.connection(from: "127.0.0.1")
        let third = try harness.connection(from: "127.0.0.1")
        #expect(first.isActive && second.isActive)
        #expect(!third.isActive)
        #expect(try harness.connection(from: "127.0.0.2").isActive)
        #expect(harness.value(#"ordinal_dns_rejected_connections_total{reason="source_cap"}"#) == 1)
        #expect(harness.defences.connections == 3)

        _ = try first.finish()
        #expect(harness.defences.connections == 2)
        #expect(try harness.connection(from: "127.0.0.1").isActive)
    }

    @Test func pastTheTotalANewAddressTakesTheBusiestAddressesOldestSlotThenIsRefused() throws {
        let harness = Harness(settings(total: 3, perSource: 2))
        let held = try ["192.0.2.1", "192.0.2.1", "192.0.2.2"].map { try harness.connection(from: $0) }
        #expect(held.allSatisfy { $0.isActive })
        // 192.0.2.1 holds two, the newcomer none: the busiest's oldest makes room.
        let newcomer = try harness.connection(from: "192.0.2.3")
        #expect(newcomer.isActive)
        #expect(!held[0].isActive && held[1].isActive && held[2].isActive)
        #expect(harness.value(#"ordinal_dns_closed_connections_total{reason="evicted"}"#) == 1)
        // Now every address holds one: nobody holds more than its share, so nobody gets in.
        for address in ["198.51.100.7", "::1"] {
            #expect(try !harness.connection(from: address).isActive, "\(address)")
        }
        #expect(harness.value(#"ordinal_dns_rejected_connections_total{reason="connection_cap"}"#) == 2)
        #expect(harness.value("ordinal_dns_tcp_connections") == 3)
        for channel in held + [newcomer] where channel.isActive { _ = try channel.finish() }
        #expect(harness.defences.connections == 0)
        #expect(harness.value("ordinal_dns_tcp_connections") == 0)
    }

    @Test func refusalsAreCountedEachButLoggedOncePerSource() throws {
        let harness = Harness(settings(total: 8, perSource: 1))
        let held = try harness.connection(from: "198.51.100.1")
        for _ in 0..<20 { #expect(try !harness.connection(from: "198.51.100.1").isActive) }
        #expect(try harness.connection(from: "198.51.100.2").isActive, "another address gets in")
        #expect(held.isActive)
        #expect(harness.value(#"ordinal_dns_rejected_connections_total{reason="source_cap"}"#) == 20)
        #expect(harness.warnings.all == ["refused connection 198.51.100.1"])
    }

    @Test func anAdmittedConnectionAnswersPipelinedQueriesInOrder() throws {
        let harness = Harness()
        let channel = try harness.connection(from: "192.0.2.9")
        try channel.writeInbound(ByteBuffer(bytes: (1...3).flatMap { framed(query(id: $0)) }))
        var ids: [UInt16] = []
        while let reply = try channel.readOutbound(as: ByteBuffer.self) {
            #expect(reply.getInteger(at: 0, as: UInt16.self) == 40)
            ids.append(reply.getInteger(at: 2, as: UInt16.self) ?? 0)
        }
        #expect(ids == [1, 2, 3])
        #expect(channel.isActive)
    }
}
