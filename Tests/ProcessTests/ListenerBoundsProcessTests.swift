import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 26: strangers with many connections cannot exhaust an agent's descriptors or memory
/// through the API or DNS ports, even under a 1,024-descriptor limit, and a client cannot
/// hold an API connection by trickling a request head.
@Suite(.serialized, .timeLimit(.minutes(5))) struct ListenerBoundsProcessTests {
    static let host = "127.0.89.1"
    /// 30 attacking source addresses, 50 connections each.
    static let attackers = (100 ..< 130).map { "127.0.89.\($0)" }

    @Test func halfOpenFloodsUnderADescriptorLimitLeaveTheAgentServing() async throws {
        let directory = try makeTestDirectory("listener-flood")
        defer { try? FileManager.default.removeItem(at: directory) }
        let agent = AgentProcess(name: "b1", host: Self.host, peerPort: 18310, apiPort: 18390, directory: directory)
        defer { agent.terminate() }
        try agent.start(extra: ["--bootstrap-expect", "1"])
        do {
            _ = try await require("the agent stores a write", within: .seconds(20)) { Self.write(agent, key: "before", from: "127.0.89.2") }
            let pid = try #require(agent.process?.processIdentifier)
            let limit = try runBounded(Self.command("/usr/bin/prlimit", ["--pid", "\(pid)", "--nofile=1024:1024"]), input: nil, timeout: 10)
            #expect(limit.status == 0, "\(limit.errors)")

            // One address that opens more than its share: 64 held, the rest refused.
            let greedy = ConnectionFlood()
            greedy.open(100, to: Self.host, port: agent.apiPort, from: ["127.0.89.130"], payload: Array("GET / HTTP/1.1\r\n".utf8))
            _ = try await require("the address past its cap is refused", within: .seconds(5)) {
                Self.metrics(agent).flatMap { Self.value($0, #"ordinal_listener_refused_connections_total{listener="api",reason="source_full"}"#) } == 36
            }
            greedy.close()

            // 1,500 connections from 30 addresses that send the start of a request head and wait.
            let api = ConnectionFlood()
            api.open(1_500, to: Self.host, port: agent.apiPort, from: Self.attackers, payload: Array("GET / HTTP/1.1\r\n".utf8))
            try await Task.sleep(for: .seconds(2))
            try Self.expectServing(agent, pid: pid, under: "1,500 half-open API connections")
            let metrics = try #require(Self.metrics(agent))
            let full = (Self.value(metrics, #"ordinal_listener_refused_connections_total{listener="api",reason="listener_full"}"#) ?? 0)
                + (Self.value(metrics, #"ordinal_listener_refused_connections_total{listener="api",reason="descriptors"}"#) ?? 0)
            #expect(full > 0, "\(metrics)")
            #expect(Self.value(metrics, #"ordinal_listener_evicted_connections_total{listener="api"}"#) ?? 0 > 0, "the clients made room: \(metrics)")
            api.close()

            // The same on the DNS port: connections that never send a query.
            let dns = ConnectionFlood()
            dns.open(1_500, to: Self.host, port: agent.dnsPort, from: Self.attackers, payload: [])
            try await Task.sleep(for: .seconds(2))
            try Self.expectServing(agent, pid: pid, under: "1,500 idle DNS connections")
            let dig = try runBounded(Self.command("/usr/bin/dig", [
                "@\(Self.host)", "-p", "\(agent.dnsPort)", "-b", "127.0.89.3", "+tcp", "+short", "+time=2", "+tries=1", "kubernetes.default.svc.cluster.local",
            ]), input: nil, timeout: 10)
            #expect(dig.status == 0 && !dig.output.contains("timed out"), "a DNS client from another address: \(dig.output) \(dig.errors)")
            dns.close()
            #expect(Self.write(agent, key: "after", from: "127.0.89.2"), "a write after the floods")
        } catch {
            Issue.record("log of \(agent.name):\n\(agent.log.suffix(4000))")
            throw error
        }
    }

    @Test func aTrickledRequestHeadIsCutOffByItsDeadline() async throws {
        let directory = try makeTestDirectory("listener-deadlines")
        defer { try? FileManager.default.removeItem(at: directory) }
        let agent = AgentProcess(name: "b2", host: "127.0.89.5", peerPort: 18320, apiPort: 18392, directory: directory)
        defer { agent.terminate() }
        try agent.start(extra: ["--bootstrap-expect", "1"])
        _ = try await require("the agent answers", within: .seconds(20)) { Self.healthy(agent, from: "127.0.89.6") }

        // A first request whose head never ends, and a second request (after a whole first
        // one was answered on the same connection) whose head never ends either.
        let first = ConnectionFlood()
        first.open(1, to: agent.host, port: agent.apiPort, from: ["127.0.89.7"], payload: Array("GET /healthz HTTP/1.1\r\nHost: x\r\n".utf8))
        let second = ConnectionFlood()
        second.open(1, to: agent.host, port: agent.apiPort, from: ["127.0.89.8"], payload: Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\n".utf8))
        let start = ContinuousClock.now
        // Keep each trickling, one byte a second, so the idle timeout never fires.
        var secondClosedAfter: Duration?
        while ContinuousClock.now - start < .seconds(24) {
            try await Task.sleep(for: .seconds(1))
            for flood in [first, second] {
                for descriptor in flood.sockets { _ = send(descriptor, "X", 1, Int32(MSG_NOSIGNAL)) }
            }
            if secondClosedAfter == nil, second.closedByPeer() == 1 { secondClosedAfter = ContinuousClock.now - start }
        }
        let closedSecond = try #require(secondClosedAfter, "a later request's head that never ends is closed")
        #expect(closedSecond >= .seconds(9) && closedSecond <= .seconds(13), "closed after \(closedSecond), the head deadline is 10 s")
        #expect(first.closedByPeer() == 1, "a first request head that never ends is closed by its 20 s deadline")
        let metrics = try #require(Self.metrics(agent))
        #expect(Self.value(metrics, #"ordinal_listener_timeouts_total{listener="api",part="head"}"#) == 1, "\(metrics)")
        #expect(Self.value(metrics, #"ordinal_listener_timeouts_total{listener="api",part="first_request"}"#) == 1, "\(metrics)")
    }

    /// The agent is alive, within its memory and descriptor bounds, and answers a client
    /// from an address that is not attacking.
    private static func expectServing(_ agent: AgentProcess, pid: Int32, under attack: String) throws {
        #expect(agent.isRunning, "the agent died under \(attack)")
        let rss = try #require(ProcessFacts.residentMiB(pid))
        #expect(rss < 150, "RSS \(rss) MiB under \(attack)")
        let descriptors = try #require(ProcessFacts.descriptors(pid))
        #expect(descriptors < 1_000, "\(descriptors) descriptors under \(attack)")
        #expect(healthy(agent, from: "127.0.89.2"), "/healthz from another address under \(attack)")
        #expect(write(agent, key: "during-\(descriptors)", from: "127.0.89.2"), "a write under \(attack)")
    }

    static func command(_ path: String, _ arguments: [String]) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        return process
    }

    static func curl(_ arguments: [String], from source: String) -> CLIRun? {
        try? runBounded(command("/usr/bin/curl", ["-sS", "--max-time", "3", "--interface", source] + arguments), input: nil, timeout: 10)
    }

    static func healthy(_ agent: AgentProcess, from source: String) -> Bool {
        curl(["-f", "\(agent.apiURL)/healthz"], from: source)?.status == 0
    }

    static func write(_ agent: AgentProcess, key: String, from source: String) -> Bool {
        curl(["-f", "-X", "PUT", "--data", "value", "\(agent.apiURL)/ordinal/v1/kv/\(key)"], from: source)?.status == 0
    }

    static func metrics(_ agent: AgentProcess) -> String? {
        curl(["-f", "\(agent.apiURL)/metrics"], from: "127.0.89.2").flatMap { $0.status == 0 ? $0.output : nil }
    }

    /// The value of the series written exactly as `series` in Prometheus text.
    static func value(_ metrics: String, _ series: String) -> Double? {
        metrics.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }
}
