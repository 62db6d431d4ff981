import Basics
import Testing
@testable import Membership

@Suite struct SuspicionTests {
    /// Ten live members (log10 n = 1), probeInterval 400 ms, suspicionMultiplier 4 (K = 2),
    /// suspicionMaxMultiplier 6: min = 1.6 s, max = 9.6 s; one confirmation gives
    /// 9.6 − (ln 2 / ln 3) × 8.0 ≈ 4.5526 s; two reach the minimum.
    @Test(arguments: [(0, 9_600.0), (1, 4_552.6), (2, 1_600.0), (3, 1_600.0)])
    func suspicionDeadline_shrinksWithIndependentConfirmations(confirmations: Int, expectedMillis: Double) {
        var settings = Membership.Settings()
        settings.suspicionMultiplier = 4
        let peers = (1...9).map { "p\($0)" }
        var a = instance(knowing: peers, settings: settings)
        _ = a.handle(.received(envelope(from: "p1", .ack(sequence: 0), gossip: [member("p9", .suspect, 0)]), now: at(1_000)))
        for index in 0..<confirmations {
            // Distinct senders confirm; the accuser repeating itself does not count.
            _ = a.handle(.received(envelope(from: "p1", .ack(sequence: 0), gossip: [member("p9", .suspect, 0)]), now: at(1_001)))
            _ = a.handle(.received(envelope(from: "p\(index + 2)", .ack(sequence: 0), gossip: [member("p9", .suspect, 0)]), now: at(1_002)))
        }
        let deadline = a.suspicionDeadline(of: node("p9"))!
        let millis = Double((deadline - at(1_000)).nanoseconds) / 1e6
        #expect(abs(millis - expectedMillis) < 1, "got \(millis) ms")
    }

    @Test func suspect_becomesDead_atSuspicionDeadline_withSameIncarnation() {
        let peers = (1...9).map { "p\($0)" }
        var a = instance(knowing: peers)
        _ = a.handle(.received(envelope(from: "p1", .ack(sequence: 0), gossip: [member("p9", .suspect, 2)]), now: at(1_000)))
        let deadline = a.suspicionDeadline(of: node("p9"))!
        let early = a.handle(.tick(now: deadline + .milliseconds(-1)))
        #expect(early.changes.isEmpty)
        #expect(a.member(node("p9"))?.status == .suspect)
        let due = a.handle(.tick(now: deadline))
        #expect(due.changes == [Membership.MemberChange(previous: .suspect, member: member("p9", .dead, 2))])
        #expect(a.makeEnvelope(.ping(sequence: 1), to: node("p1")).gossip.first == member("p9", .dead, 2))
    }

    @Test func refutation_cancelsSuspicion() {
        var a = instance(knowing: ["b", "c", "d"])
        _ = a.handle(.received(envelope(from: "c", .ack(sequence: 0), gossip: [member("b", .suspect, 0)]), now: at(1)))
        _ = a.handle(.received(envelope(from: "b", .ack(sequence: 0), gossip: [member("b", .alive, 1)]), now: at(2)))
        #expect(a.member(node("b")) == member("b", .alive, 1))
        #expect(a.suspicionDeadline(of: node("b")) == nil)
        _ = a.handle(.tick(now: at(60_000)))
        #expect(a.member(node("b"))?.status == .alive)
    }

    @Test(arguments: [
        // (live members, suspicionMultiplier, expected K)
        (10, 3.0, 1), (2, 3.0, 0), (3, 3.0, 1), (10, 4.0, 2), (3, 4.0, 0), (10, 2.0, 0), (10, 6.0, 4),
    ])
    func expectedConfirmations_isMultiplierMinusTwo_orZeroInSmallClusters(n: Int, multiplier: Double, k: Int) {
        var settings = Membership.Settings()
        settings.suspicionMultiplier = multiplier
        #expect(Instance.expectedConfirmations(settings: settings, liveCount: n) == k)
    }

    @Test(arguments: [(1, 1_200.0), (10, 1_200.0), (100, 2_400.0), (50, 2_038.8)])
    func minimumSuspicion_scalesWithLog10OfClusterSize(n: Int, expectedMillis: Double) {
        let bounds = Instance.suspicionBounds(settings: .init(), liveCount: n)
        #expect(abs(Double(bounds.minimum.nanoseconds) / 1e6 - expectedMillis) < 0.1)
        #expect(abs(Double(bounds.maximum.nanoseconds) / 1e6 - 6 * expectedMillis) < 0.6)
    }

    @Test(arguments: [1.0, 2.0, 10.0, 50.0, 0.001, 123_456.789])
    func logarithm_matchesKnownValues(x: Double) {
        // exp(ln x) round-trips through the series for exp, which the stdlib lacks too.
        var exp = 1.0, term = 1.0
        let y = Logarithm.natural(x)
        for n in 1..<200 { term *= y / Double(n); exp += term }
        #expect(abs(exp - x) / x < 1e-9)
        #expect(abs(Logarithm.decimal(1000) - 3) < 1e-14)
    }
}
