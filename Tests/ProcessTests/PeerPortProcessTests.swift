import Foundation
import Testing

/// The peer port under attack, with real keyed agents on 127.0.88.x: frames bound to the
/// agent they were sent to, and slots a restarting member gets back while a stranger holds
/// every connection it can.
@Suite(.serialized) struct PeerPortProcessTests {
    static let key = GossipProcessTests.key
    static let flags = ["--encrypt", key, "--bootstrap-expect", "3"]

    /// The complete frames at the start of `bytes` (length prefix included).
    static func completeFrames(_ bytes: [UInt8]) -> [UInt8] {
        var end = 0
        while bytes.count >= end + 4 {
            let length = bytes[end ..< end + 4].reduce(0) { $0 << 8 | Int($1) }
            guard bytes.count >= end + 4 + length else { break }
            end += 4 + length
        }
        return Array(bytes.prefix(end))
    }

    static func rejectedFrames(_ agent: AgentProcess) async -> Double? {
        await agent.metrics().flatMap { MetricsText($0).value("ordinal_peer_dropped_frames_total", ["reason": "unsealed"]) }
    }

    /// An agent `x` whose only seed is a recording relay in front of p1: everything it sends
    /// is captured. Played to p2, the frames are refused (they name the relay's address),
    /// counted, and x never becomes p2's member; the cluster keeps writing.
    @Test func aFrameRecordedOnItsWayToOneAgentIsRefusedByAnother() async throws {
        try await withCluster("replay", count: 3, basePort: 18460, extra: Self.flags) { agents in
            _ = try await require("keyed agents converge", within: .seconds(15)) { await allSee(agents, allAlive(agents)) }
            _ = try await require("a leader", within: .seconds(15)) { await agreedLeader(agents) != nil }
            let relay = try RecordingRelay(listen: "127.0.88.20", port: 18460, upstream: (agents[0].host, agents[0].peerPort))
            defer { relay.stop() }
            let x = AgentProcess(name: "x", host: "127.0.88.9", peerPort: 18460, apiPort: 18540, directory: agents[0].directory)
            defer { x.terminate() }
            try x.start(extra: ["--encrypt", Self.key, "--join", "127.0.88.20:18460"])
            _ = try await require("the relay records x's greeting and join", within: .seconds(10)) {
                Self.completeFrames(relay.bytes).count > 0
            }
            let recorded = Self.completeFrames(relay.bytes)
            let before = try #require(await Self.rejectedFrames(agents[1]))
            try sendRaw(recorded, to: agents[1].host, port: agents[1].peerPort)
            _ = try await require("p2 counts the replayed frame as rejected", within: .seconds(5)) {
                (await Self.rejectedFrames(agents[1]) ?? 0) > before
            }
            #expect(agents[1].log.contains("frame sealed for 127.0.88.20:18460 arrived at 127.0.88.2:18460"))
            try await Task.sleep(for: .seconds(1))
            for agent in agents {
                #expect(await agent.memberStates()?["x"] == nil, "\(agent.name) must not take x from a replay or a relay")
            }
            #expect(await allSee(agents, allAlive(agents)))
            _ = try await require("the cluster writes", within: .seconds(10)) { await agents[1].put("after-replay", "ok", timeout: 5) != nil }
        }
    }

    /// A stranger tries to keep hundreds of idle connections open to p1 and p2 from 40
    /// loopback addresses (past the old 256-connection cap): it fills the strangers' share,
    /// is refused past it and then turned away by the kernel. p3 is killed and restarted: it
    /// dials from its own address, which p1 and p2 know as a member's and never turn away, so
    /// it gets a slot, rejoins and writes through the leader.
    @Test func aRestartingMemberGetsBackInWhileAStrangerHoldsThePeerSlots() async throws {
        try await withCluster("squat", count: 3, basePort: 18470, extra: Self.flags) { agents in
            _ = try await require("keyed agents converge", within: .seconds(15)) { await allSee(agents, allAlive(agents)) }
            _ = try await require("a leader", within: .seconds(15)) { await agreedLeader(agents) != nil }
            let squatter = SlotSquatter(
                targets: agents.prefix(2).map { ($0.host, $0.peerPort) }, perTarget: 280,
                sources: (1 ... 40).map { "127.0.89.\($0)" }
            )
            defer { squatter.stop() }
            _ = try await require("p1 and p2 refuse the stranger past its share and turn it away", within: .seconds(10)) {
                for agent in agents.prefix(2) {
                    guard let text = await agent.metrics().map(MetricsText.init),
                          (text.value("ordinal_peer_refused_connections_total", ["reason": "full"]) ?? 0) > 0,
                          (text.value("ordinal_listener_blocked_sources", ["listener": "peer"]) ?? 0) > 0 else { return false }
                }
                return true
            }
            agents[2].kill9()
            try await Task.sleep(for: .seconds(1))
            try agents[2].restart()
            let seconds = try await require("p3 rejoins while the slots are held", within: .seconds(30)) {
                await allSee(agents, allAlive(agents))
            }
            _ = try await require("p3 writes through the leader", within: .seconds(20)) { await agents[2].put("after-restart", "ok", timeout: 5) != nil }
            print("p3 rejoined \(seconds) s after its restart while the stranger held \(squatter.holding) connections and kept trying")
        }
    }
}
