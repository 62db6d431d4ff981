import Basics
import Consensus
import Membership
import Testing
@testable import AgentCore

@Suite struct AgentNodeTests {
    static let addressA = Endpoint(host: "127.0.1.1", port: 7400)
    static let addressB = Endpoint(host: "127.0.1.2", port: 7400)

    private func node(_ name: String, _ address: Endpoint) -> AgentNode {
        AgentNode(
            id: NodeID(name), address: address, metadata: ["api": "x"], membershipSettings: .init(),
            raft: try! RaftNode(id: NodeID(name), storage: MemoryRaftStorage(), seed: 1),
            raftSettings: .init(), settings: .init(), seed: 1
        )
    }

    private func ticks(_ effects: [AgentEffect]) -> [Instant] {
        effects.compactMap { if case .scheduleTick(let at) = $0 { at } else { nil } }
    }

    @Test func startingWithoutSeedsFoundsAClusterOfOne() {
        var a = node("a", Self.addressA)
        let effects = a.handle(.start(seeds: [], now: .zero))
        #expect(effects.allSatisfy { if case .sendGossip = $0 { false } else { true } })
        #expect(a.membership.members.map(\.id) == [NodeID("a")])
        #expect(a.id == NodeID("a"))
    }

    @Test func joiningSendsToTheSeedAndEndsWithOneTick() {
        var a = node("a", Self.addressA)
        let effects = a.handle(.start(seeds: [Self.addressB], now: .zero))
        let destinations = effects.compactMap { if case .sendGossip(_, let to) = $0 { to } else { nil } }
        #expect(destinations == [Self.addressB])
        #expect(ticks(effects).count == 1)
        if case .scheduleTick = effects.last {} else { Issue.record("last effect must be scheduleTick: \(effects)") }
    }

    @Test func twoNodesExchangeGossipAndSeeEachOther() {
        var a = node("a", Self.addressA)
        var b = node("b", Self.addressB)
        var inFlight: [(Membership.Envelope, Endpoint)] = []
        func collect(_ effects: [AgentEffect]) {
            for case .sendGossip(let envelope, let to) in effects { inFlight.append((envelope, to)) }
        }
        collect(a.handle(.start(seeds: [], now: .zero)))
        collect(b.handle(.start(seeds: [Self.addressA], now: .zero)))
        var rounds = 0
        while !inFlight.isEmpty && rounds < 20 {
            let batch = inFlight
            inFlight = []
            for (envelope, to) in batch {
                if to == Self.addressA { collect(a.handle(.gossip(envelope, now: .zero))) }
                if to == Self.addressB { collect(b.handle(.gossip(envelope, now: .zero))) }
            }
            rounds += 1
        }
        #expect(a.membership.member(NodeID("b"))?.status == .alive)
        #expect(b.membership.member(NodeID("a"))?.status == .alive)
        #expect(b.membership.member(NodeID("a"))?.metadata["api"] == "x")
    }

    @Test func memberChangesBecomeEffects() {
        var a = node("a", Self.addressA)
        _ = a.handle(.start(seeds: [], now: .zero))
        let hello = Membership.Envelope(sender: NodeID("b"), senderAddress: Self.addressB, message: .ping(sequence: 1))
        let effects = a.handle(.gossip(hello, now: .zero))
        let changes = effects.compactMap { if case .memberChanged(let change) = $0 { change } else { nil } }
        #expect(changes.map(\.member.id) == [NodeID("b")])
        #expect(changes.first?.previous == nil)
    }
}
