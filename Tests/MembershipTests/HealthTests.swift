import Basics
import Testing
@testable import Membership

@Suite struct HealthTests {
    /// Lifeguard IV.A: a failed probe costs one point per missing nack (one if nobody could
    /// help); the probe interval and timeout stretch by `score + 1`.
    @Test(arguments: [
        // (peers, nacks received, expected score)
        (["b"], 0, 1),  // no helpers: +1
        (["b", "c", "d", "e"], 0, 3),  // 3 helpers, no nacks: +3
        (["b", "c", "d", "e"], 2, 1),
        (["b", "c", "d", "e"], 3, 0),  // every helper answered: we are fine, the target is not
    ])
    func failedProbe_raisesLocalHealthPerMissingNack(peers: [String], nacks: Int, expected: Int) {
        var a = instance(knowing: peers)
        let probe = a.tickUntilProbe(from: 0)!
        let requests = a.handle(.tick(now: at(probe.now + 200))).pingRequests()
        for request in requests.prefix(nacks) {
            _ = a.handle(.received(envelope(from: a.name(at: request.to), .nack(sequence: probe.sequence)), now: at(probe.now + 300)))
        }
        _ = a.handle(.tick(now: at(probe.now + 400)))
        #expect(a.localHealth == expected)
        #expect(a.probeInterval == .milliseconds(400 * (expected + 1)))
        #expect(a.probeTimeout == .milliseconds(200 * (expected + 1)))
    }

    @Test func successfulProbe_lowersLocalHealth_andNextPeriodShrinks() {
        var a = instance(knowing: ["b"])
        _ = a.handle(.received(envelope(from: "b", .ack(sequence: 0), gossip: [member("a", .suspect, 0)]), now: at(1)))
        _ = a.handle(.received(envelope(from: "b", .ack(sequence: 0), gossip: [member("a", .suspect, 1)]), now: at(2)))
        #expect(a.localHealth == 2)
        let probe = a.tickUntilProbe(from: 0)!
        // The period started at score 2: the timeout is 3 × 200 ms.
        #expect(a.probe?.timeoutAt == at(probe.now + 600))
        #expect(a.probe?.periodEndsAt == at(probe.now + 1_200))
        _ = a.handle(.received(envelope(from: "b", .ack(sequence: probe.sequence)), now: at(probe.now + 10)))
        #expect(a.localHealth == 1)
        #expect(a.probeInterval == .milliseconds(800))
    }

    @Test func localHealth_isCappedBelowMaxMultiplier() {
        var settings = Membership.Settings()
        settings.maxLocalHealthMultiplier = 3
        var a = instance(knowing: ["b"], settings: settings)
        for incarnation in 0..<10 {
            _ = a.handle(.received(envelope(from: "b", .ack(sequence: 0), gossip: [member("a", .suspect, UInt64(incarnation))]), now: at(1)))
        }
        #expect(a.localHealth == 2)
        #expect(a.probeInterval == .milliseconds(1_200))
    }
}
