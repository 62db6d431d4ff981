import Basics
import Testing
@testable import Membership

/// An ack vouches for the probed member only when it comes from that member, or from a
/// helper asked to relay its ack: a ping replayed to a third agent makes that agent answer
/// with the prober's sequence number, which must not keep a dead target alive.
@Suite struct AckMatchingTests {
    @Test func anAckWithTheProbesSequenceFromAThirdMemberDoesNotEndTheProbe() {
        var a = instance(knowing: ["b", "c", "d", "e"])
        let probe = a.tickUntilProbe(from: 0)!
        let target = a.name(at: probe.target)
        let bystander = ["b", "c", "d", "e"].first { $0 != target }!
        _ = a.handle(.received(envelope(from: bystander, .ack(sequence: probe.sequence)), now: at(probe.now + 5)))
        let timeout = a.handle(.tick(now: at(probe.now + 200)))
        #expect(!timeout.pingRequests().isEmpty, "the probe is still open: indirect probes go out")
        _ = a.handle(.tick(now: at(probe.now + 400)))
        #expect(a.member(node(target))?.status == .suspect)
    }

    @Test func aNackCountsOnlyFromAHelper() {
        var settings = Membership.Settings()
        settings.indirectProbes = 2
        var a = instance(knowing: ["b", "c", "d", "e", "f"], settings: settings)
        let probe = a.tickUntilProbe(from: 0)!
        let helpers = Set(a.handle(.tick(now: at(probe.now + 200))).pingRequests().map { a.name(at: $0.to) })
        let bystander = ["b", "c", "d", "e", "f"].first { !helpers.contains($0) && $0 != a.name(at: probe.target) }!
        for _ in 0 ..< 3 { _ = a.handle(.received(envelope(from: bystander, .nack(sequence: probe.sequence)), now: at(probe.now + 250))) }
        _ = a.handle(.tick(now: at(probe.now + 400)))
        #expect(a.localHealth == helpers.count, "every helper's missing nack still counts against local health")
    }

    @Test func aRelayPassesOnOnlyTheTargetsAck() {
        var h = instance(knowing: ["r", "t", "x"])
        let request = envelope(from: "r", .pingRequest(sequence: 77, target: node("t"), targetAddress: address("t")))
        let ping = h.handle(.received(request, now: at(100))).pings().first { $0.to == address("t") }!
        let forged = h.handle(.received(envelope(from: "x", .ack(sequence: ping.sequence)), now: at(105)))
        #expect(forged.sends.allSatisfy { $0.envelope.message != .ack(sequence: 77) }, "x is not the target")
        let relayed = h.handle(.received(envelope(from: "t", .ack(sequence: ping.sequence)), now: at(110)))
        #expect(relayed.sends.filter { $0.envelope.message == .ack(sequence: 77) }.map(\.to) == [address("r")])
    }
}
