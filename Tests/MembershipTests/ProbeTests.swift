import Basics
import Testing
@testable import Membership

@Suite struct ProbeTests {
    @Test func probeAck_keepsTargetAlive_andNoPingRequestGoesOut() {
        var a = instance(knowing: ["b", "c", "d", "e"])
        let probe = a.tickUntilProbe(from: 0)!
        let target = a.name(at: probe.target)
        let ack = a.handle(.received(envelope(from: target, .ack(sequence: probe.sequence)), now: at(probe.now + 5)))
        #expect(ack.changes.isEmpty)
        var later: [Directive] = []
        for step in 1...40 { later += a.handle(.tick(now: at(probe.now + 5 + step * 10))) }
        #expect(later.pingRequests().isEmpty)
        #expect(a.member(node(target))?.status == .alive)
    }

    @Test func probeTimeout_sendsPingRequestsToKAliveMembersOtherThanTarget() {
        var settings = Membership.Settings()
        settings.indirectProbes = 3
        var a = instance(knowing: ["b", "c", "d", "e", "f"], settings: settings)
        let probe = a.tickUntilProbe(from: 0)!
        let beforeTimeout = a.handle(.tick(now: at(probe.now + 199)))
        #expect(beforeTimeout.pingRequests().isEmpty)
        let timeout = a.handle(.tick(now: at(probe.now + 200)))
        let requests = timeout.pingRequests()
        #expect(requests.count == 3)
        #expect(Set(requests.map(\.to)).count == 3)
        #expect(!requests.map(\.to).contains(probe.target))
        #expect(requests.allSatisfy { $0.sequence == probe.sequence && $0.target == node(a.name(at: probe.target)) })
    }

    @Test func relayedAck_beforePeriodEnd_keepsTargetAlive() {
        var a = instance(knowing: ["b", "c", "d", "e"])
        let probe = a.tickUntilProbe(from: 0)!
        let requests = a.handle(.tick(now: at(probe.now + 200))).pingRequests()
        let helper = a.name(at: requests[0].to)
        _ = a.handle(.received(envelope(from: helper, .ack(sequence: probe.sequence)), now: at(probe.now + 250)))
        _ = a.handle(.tick(now: at(probe.now + 400)))
        #expect(a.member(node(a.name(at: probe.target)))?.status == .alive)
        #expect(a.localHealth == 0)
    }

    @Test func noAckByPeriodEnd_suspectsTargetAtItsIncarnation() {
        var a = instance(knowing: ["b", "c", "d", "e"])
        _ = a.handle(.received(envelope(from: "b", .ping(sequence: 1), gossip: [member("c", .alive, 4), member("d", .alive, 4), member("e", .alive, 4), member("b", .alive, 4)]), now: at(1)))
        let probe = a.tickUntilProbe(from: 0)!
        let target = a.name(at: probe.target)
        _ = a.handle(.tick(now: at(probe.now + 200)))
        let end = a.handle(.tick(now: at(probe.now + 400)))
        #expect(end.changes.contains(Membership.MemberChange(previous: .alive, member: member(target, .suspect, 4))))
        #expect(a.member(node(target)) == member(target, .suspect, 4))
    }

    @Test func indirectProber_pingsTarget_andRelaysItsAck() {
        var h = instance(knowing: ["r", "t"])
        let request = envelope(from: "r", .pingRequest(sequence: 77, target: node("t"), targetAddress: address("t")))
        let directives = h.handle(.received(request, now: at(100)))
        let ping = directives.pings().first { $0.to == address("t") }!
        let relayed = h.handle(.received(envelope(from: "t", .ack(sequence: ping.sequence)), now: at(110)))
        let acks = relayed.sends.filter { $0.envelope.message == .ack(sequence: 77) }
        #expect(acks.map(\.to) == [address("r")])
        // No nack follows once the ack was relayed.
        let later = h.handle(.tick(now: at(400)))
        #expect(later.sends.allSatisfy { $0.envelope.message != .nack(sequence: 77) })
    }

    @Test(arguments: [(159, false), (160, true)])
    func indirectProber_sendsNack_after0point8ProbeTimeout(elapsed: Int, expectNack: Bool) {
        var h = instance(knowing: ["r", "t"])
        let request = envelope(from: "r", .pingRequest(sequence: 5, target: node("t"), targetAddress: address("t")))
        _ = h.handle(.received(request, now: at(1_000)))
        let directives = h.handle(.tick(now: at(1_000 + elapsed)))
        let nacks = directives.sends.filter { $0.envelope.message == .nack(sequence: 5) }
        #expect(nacks.map(\.to) == (expectNack ? [address("r")] : []))
    }

    @Test func pingToSuspect_carriesSuspectClaimFirst_buddySystem() {
        var a = instance(knowing: ["b"])
        _ = a.handle(.received(envelope(from: "b", .ack(sequence: 999), gossip: [member("b", .suspect, 0)]), now: at(1)))
        #expect(a.member(node("b"))?.status == .suspect)
        let probe = a.tickUntilProbe(from: 0)!
        #expect(probe.target == address("b"))
        #expect(probe.envelope.gossip.first == member("b", .suspect, 0))
    }

    @Test func answeringPing_fromMemberHeldDead_tellsItSoItCanRefute() {
        var a = instance(knowing: ["b"])
        _ = a.handle(.received(envelope(from: "c", .ack(sequence: 999), gossip: [member("b", .dead, 0)]), now: at(1)))
        let directives = a.handle(.received(envelope(from: "b", .ping(sequence: 3)), now: at(2)))
        let ack = directives.sends.first { $0.envelope.message == .ack(sequence: 3) }
        #expect(ack?.envelope.gossip.first == member("b", .dead, 0))
        #expect(a.member(node("b"))?.status == .dead)
    }

    @Test func probeOrder_visitsEveryLiveMemberOncePerRound() {
        let peers = (1...12).map { "p\($0)" }
        var a = instance(knowing: peers)
        var targets: [String] = []
        var now = 0
        while targets.count < 24, now < 60_000 {
            let directives = a.handle(.tick(now: at(now)))
            if let probe = a.probe, let ping = directives.pings().first(where: { $0.sequence == probe.sequence }) {
                targets.append(a.name(at: ping.to))
                _ = a.handle(.received(envelope(from: a.name(at: ping.to), .ack(sequence: probe.sequence)), now: at(now + 1)))
            }
            now += 50
        }
        #expect(Set(targets.prefix(12)) == Set(peers))
        #expect(Set(targets.suffix(12)) == Set(peers))
        #expect(a.counters.probes >= 24, "every ping of a protocol period counts as a probe")
    }
}
