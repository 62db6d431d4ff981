import Foundation
import Testing

/// A hostile DNS client against a real agent (issue 26): pipelining queries on several TCP
/// connections without ever reading drove an agent past 1 GiB; past the connection caps
/// the agent must refuse, and answer everyone else all along.
@Suite(.serialized, .timeLimit(.minutes(2))) struct DNSFloodProcessTests {
    static let name = "dns-version.cluster.local"

    /// True when `ordinal lookup` gets the zone's version over UDP.
    func answersUDP(_ agent: AgentProcess) -> Bool {
        (try? ordinal(["lookup", Self.name, "TXT", "--agent", agent.dnsAddress], timeout: 10))?.output.contains("1.1.0") == true
    }

    /// True when a new connection from `source` gets a TCP answer.
    func answersTCP(_ agent: AgentProcess, from source: String) -> Bool {
        guard let stream = try? DNSStream(to: agent.host, port: agent.dnsPort, from: source) else { return false }
        return stream.exchange(DNSStream.query(Self.name, type: 16)) != nil
    }

    @Test func aClientThatNeverReadsCannotGrowTheAgent() async throws {
        try await withCluster("dns-flood", count: 1, basePort: 18210) { agents in
            let agent = agents[0]
            let pid = try #require(agent.process?.processIdentifier)
            _ = try await require("the agent answers DNS", within: .seconds(20)) { answersUDP(agent) }
            let before = try #require(residentMiB(pid))
            // 60 KiB of pipelined TXT queries per send, on 4 connections, for 15 s, never read;
            // a connection the agent closes is opened again. Small receive buffers, so the
            // unread answers pile up in the agent rather than in the kernel.
            let batch = (0..<1_400).flatMap { id in
                let query = DNSStream.query(Self.name, type: 16, id: UInt16(id))
                return [UInt8(query.count >> 8), UInt8(query.count & 0xFF)] + query
            }
            var streams = try (0..<4).map { _ in try DNSStream(to: agent.host, port: agent.dnsPort, from: "127.0.0.1", receiveBuffer: 4_096) }
            var offsets = [Int](repeating: 0, count: streams.count)
            var sent = 0
            var reopened = 0
            var peak = before
            var answeredDuringFlood = (udp: false, tcp: false)
            let start = ContinuousClock.now
            while ContinuousClock.now - start < .seconds(15) {
                for index in streams.indices {
                    switch streams[index].sendNow(batch[offsets[index]...]) {
                    case let count?:
                        sent += count
                        offsets[index] = (offsets[index] + count) % batch.count
                    case nil:
                        streams[index] = try DNSStream(to: agent.host, port: agent.dnsPort, from: "127.0.0.1", receiveBuffer: 4_096)
                        offsets[index] = 0
                        reopened += 1
                    }
                }
                peak = max(peak, residentMiB(pid) ?? 0)
                if ContinuousClock.now - start > .seconds(8), !answeredDuringFlood.udp {
                    answeredDuringFlood = (answersUDP(agent), answersTCP(agent, from: "127.0.0.2"))
                }
                usleep(2_000)
            }
            print("dns flood: RSS \(before) -> peak \(peak) MiB, \(sent >> 20) MiB of queries sent, \(reopened) connections closed by the agent")
            #expect(agent.isRunning)
            #expect(peak < 150, "RSS \(before) MiB before, \(peak) MiB at most while \(sent) bytes of queries were sent")
            #expect(answeredDuringFlood.udp && answeredDuringFlood.tcp, "\(answeredDuringFlood)")
            #expect(reopened > 0, "the agent closes connections whose client does not read")
            let metrics = MetricsText(try #require(await agent.metrics()))
            #expect((metrics.value("ordinal_dns_closed_connections_total", ["reason": "stalled"]) ?? 0) > 0)
        }
    }

    @Test func connectionsPastTheCapsAreRefusedWhileTheAgentAnswers() async throws {
        let caps = ["--dns-max-connections", "6", "--dns-max-connections-per-source", "3"]
        try await withCluster("dns-caps", count: 1, basePort: 18220, extra: caps) { agents in
            let agent = agents[0]
            _ = try await require("the agent answers DNS", within: .seconds(20)) { answersUDP(agent) }
            let query = DNSStream.query(Self.name, type: 16)
            let first = try (0..<3).map { _ in try DNSStream(to: agent.host, port: agent.dnsPort, from: "127.0.0.1", receiveBuffer: 4_096) }
            #expect(first.allSatisfy { $0.exchange(query) != nil })
            let overSource = try DNSStream(to: agent.host, port: agent.dnsPort, from: "127.0.0.1", receiveBuffer: 4_096)
            #expect(overSource.isClosedByServer(), "a fourth connection from one address is closed")

            let second = try (0..<3).map { _ in try DNSStream(to: agent.host, port: agent.dnsPort, from: "127.0.0.3") }
            #expect(second.allSatisfy { $0.exchange(query) != nil })
            // Full: an address holding none takes the busiest address's oldest connection
            // (127.0.0.1 and 127.0.0.3 hold three each; a tie goes to the lower address).
            let newcomer = try DNSStream(to: agent.host, port: agent.dnsPort, from: "127.0.0.4")
            #expect(newcomer.exchange(query) != nil, "a newcomer gets in")
            #expect(first[0].isClosedByServer(), "the busiest address's oldest connection made room")
            #expect(first.dropFirst().allSatisfy { $0.exchange(query) != nil }, "its other connections keep being answered")
            let again = try DNSStream(to: agent.host, port: agent.dnsPort, from: "127.0.0.4")
            #expect(again.exchange(query) != nil, "127.0.0.3, now the busiest, makes room")
            let overShare = try DNSStream(to: agent.host, port: agent.dnsPort, from: "127.0.0.4")
            #expect(overShare.isClosedByServer(), "every address holds two: no one holds more than its share")
            #expect(answersUDP(agent), "UDP is answered while TCP is full")

            let metrics = MetricsText(try #require(await agent.metrics()))
            #expect(metrics.value("ordinal_dns_rejected_connections_total", ["reason": "source_cap"]) == 1)
            #expect(metrics.value("ordinal_dns_rejected_connections_total", ["reason": "connection_cap"]) == 1)
            #expect(metrics.value("ordinal_dns_closed_connections_total", ["reason": "evicted"]) == 2)
            _ = consume second
            _ = try await require("a slot frees when a connection closes", within: .seconds(5)) { answersTCP(agent, from: "127.0.0.4") }
            #expect(agent.log.contains("refused connection"))
        }
    }
}
