import Basics
import Testing

/// Issue 26: a listener's caps apply to every address, and a full listener makes room for an
/// address holding fewer than the busiest.
@Suite struct ConnectionQuotaTests {
    @Test func eachAddressIsCappedLoopbackIncluded() {
        var quota = ConnectionQuota(maxTotal: 100, maxPerSource: 3)
        for _ in 0 ..< 3 { #expect(quota.admit("127.0.0.1") == .admitted) }
        #expect(quota.admit("127.0.0.1") == .refused(.sourceFull(limit: 3)))
        #expect(quota.admit("127.0.0.2") == .admitted)
        quota.release("127.0.0.1")
        #expect(quota.admit("127.0.0.1") == .admitted)
        #expect(quota.total == 4)
    }

    @Test func aFullListenerMakesRoomForAnAddressWithFewer() {
        var quota = ConnectionQuota(maxTotal: 4, maxPerSource: 4)
        for _ in 0 ..< 3 { #expect(quota.admit("attacker-a") == .admitted) }
        #expect(quota.admit("attacker-b") == .admitted)
        // Full: the newcomer (0 held) takes a slot from the busiest (3).
        #expect(quota.admit("client") == .admittedEvicting(source: "attacker-a"))
        #expect(quota.held(by: "attacker-a") == 2 && quota.held(by: "client") == 1 && quota.total == 4)
        // The attacker cannot take it back: it holds more than the client already.
        #expect(quota.admit("attacker-a") == .refused(.full(limit: 4)))
        // A second attacking address may take from the first, down to one apart.
        #expect(quota.admit("attacker-b") == .refused(.full(limit: 4)))
        #expect(quota.admit("attacker-c") == .admittedEvicting(source: "attacker-a"))
        #expect(quota.admit("client") == .refused(.full(limit: 4)), "1 held against the busiest's 1: no room to take")
    }

    @Test func aLimitOutsideTheQuotaIsSharedTheSameWay() {
        var quota = ConnectionQuota(maxTotal: 100, maxPerSource: 100)
        for _ in 0 ..< 5 { #expect(quota.admit("attacker") == .admitted) }
        let outOfDescriptors = ConnectionQuota.Refusal.descriptors(allowed: 5)
        #expect(quota.admit("client", outsideLimit: outOfDescriptors) == .admittedEvicting(source: "attacker"))
        #expect(quota.total == 5)
        #expect(quota.admit("attacker", outsideLimit: outOfDescriptors) == .refused(outOfDescriptors))
    }

    @Test func pastItsGuaranteedShareAnAddressMakesNoRoom() {
        var quota = ConnectionQuota(maxTotal: 20, maxPerSource: 20, guaranteedPerSource: 2)
        for _ in 0 ..< 18 { _ = quota.admit("attacker-a") }
        for _ in 0 ..< 2 { _ = quota.admit("attacker-b") }
        // attacker-b holds its guaranteed two: reconnecting is refused, not paid for by a.
        #expect(quota.admit("attacker-b") == .refused(.full(limit: 20)))
        #expect(quota.admit("client") == .admittedEvicting(source: "attacker-a"))
        #expect(quota.admit("client") == .admittedEvicting(source: "attacker-a"))
        #expect(quota.admit("client") == .refused(.full(limit: 20)), "the client holds its guaranteed two")
    }

    @Test func tiesAreBrokenByAddressNotByTableOrder() {
        var quota = ConnectionQuota(maxTotal: 4, maxPerSource: 4)
        for source in ["b", "a", "b", "a"] { _ = quota.admit(source) }
        #expect(quota.admit("c") == .admittedEvicting(source: "a"))
    }

    @Test func releasingWhatWasNeverAdmittedChangesNothing() {
        var quota = ConnectionQuota(maxTotal: 2, maxPerSource: 2)
        quota.release("nobody")
        #expect(quota.total == 0)
        #expect(quota.admit("x") == .admitted)
    }

    /// The sources a listener may turn away before accepting are exactly those whose next
    /// connection `admit` would refuse: checked after every step of 200 seeded histories
    /// of admits and releases, on small caps that are full most of the time.
    @Test(arguments: 0 ..< 200) func refusedSourcesAreThoseAdmitWouldRefuse(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var quota = ConnectionQuota(
            maxTotal: Int.random(in: 1 ... 12, using: &random), maxPerSource: Int.random(in: 1 ... 6, using: &random),
            guaranteedPerSource: Int.random(in: 1 ... 5, using: &random)
        )
        let sources = (0 ..< 6).map { "10.0.0.\($0)" }
        for _ in 0 ..< 60 {
            let outOfDescriptors = Int.random(in: 0 ..< 4, using: &random) == 0
            let refused = quota.refusedSources(outsideLimitReached: outOfDescriptors)
            for source in sources where quota.held(by: source) > 0 {
                var probe = quota
                let admission = probe.admit(source, outsideLimit: outOfDescriptors ? .descriptors(allowed: quota.total) : nil)
                let wouldRefuse = if case .refused = admission { true } else { false }
                #expect(refused.contains(source) == wouldRefuse, "seed \(seed): \(source) holding \(quota.held(by: source)) of \(quota.total)")
            }
            #expect(refused.allSatisfy { quota.held(by: $0) > 0 }, "only sources holding connections are named")
            let source = sources[Int.random(in: 0 ..< sources.count, using: &random)]
            if Bool.random(using: &random) {
                _ = quota.admit(source, outsideLimit: outOfDescriptors ? .descriptors(allowed: quota.total) : nil)
            } else {
                quota.release(source)
            }
        }
    }
}
