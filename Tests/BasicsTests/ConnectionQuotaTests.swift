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
}
