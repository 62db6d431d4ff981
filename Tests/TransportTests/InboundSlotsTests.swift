import Testing
@testable import Transport

/// Which inbound connections an agent holds: strangers get a bounded share, per address
/// (loopback too) and in total, and a member's address always finds room.
@Suite struct InboundSlotsTests {
    final class Connection {}

    /// Distinct identities for connections; the objects stay alive with the test.
    final class Connections {
        private var made: [Connection] = []
        func next() -> ObjectIdentifier {
            made.append(Connection())
            return ObjectIdentifier(made.last!)
        }
    }

    static let limits = InboundSlots.Limits(total: 10, unproven: 4, unprovenPerAddress: 2)

    @Test func oneAddressHoldsItsShareAndDisplacesOnlyItsOwnOldest() {
        var slots = InboundSlots(limits: Self.limits)
        let ids = Connections()
        let first = ids.next(), second = ids.next(), third = ids.next()
        #expect(slots.admit(first, from: "127.0.0.1") == .admitted(evicting: nil))
        #expect(slots.admit(second, from: "127.0.0.1") == .admitted(evicting: nil))
        #expect(slots.admit(third, from: "127.0.0.1") == .admitted(evicting: first), "loopback is capped like any address")
        #expect(slots.count == 2)
    }

    @Test func strangersShareABoundedPoolAndAMemberAddressStillGetsIn() {
        var slots = InboundSlots(limits: Self.limits)
        let ids = Connections()
        for address in ["127.0.3.1", "127.0.3.2"] {
            for _ in 0 ..< 2 { #expect(slots.admit(ids.next(), from: address) == .admitted(evicting: nil)) }
        }
        #expect(slots.admit(ids.next(), from: "127.0.3.3") == .refused(reason: "too many unproven inbound connections"))
        slots.memberAddresses = ["127.0.1.3"]
        #expect(slots.admit(ids.next(), from: "127.0.1.3") == .admitted(evicting: nil), "members' addresses are outside the strangers' pool")
        #expect(slots.unprovenCount == 5)
    }

    @Test func aProvenConnectionLeavesTheUnprovenPoolAndIsNeverDisplaced() {
        var slots = InboundSlots(limits: Self.limits)
        let ids = Connections()
        let agent = ids.next()
        #expect(slots.admit(agent, from: "127.0.1.2") == .admitted(evicting: nil))
        slots.prove(agent)
        for _ in 0 ..< 5 {
            if case .admitted(let evicting) = slots.admit(ids.next(), from: "127.0.1.2") { #expect(evicting != agent) }
        }
        #expect(slots.unprovenCount == 2)
        #expect(slots.count == 3)
    }

    @Test func aFullAgentRefusesStrangersButMakesRoomForAMember() {
        var slots = InboundSlots(limits: .init(total: 3, unproven: 8, unprovenPerAddress: 8))
        let ids = Connections()
        let proven = ids.next(), strangerOld = ids.next(), strangerNew = ids.next()
        #expect(slots.admit(proven, from: "127.0.1.1") == .admitted(evicting: nil))
        slots.prove(proven)
        #expect(slots.admit(strangerOld, from: "127.0.3.1") == .admitted(evicting: nil))
        #expect(slots.admit(strangerNew, from: "127.0.3.2") == .admitted(evicting: nil))
        #expect(slots.admit(ids.next(), from: "127.0.3.3") == .refused(reason: "too many inbound connections"))
        slots.memberAddresses = ["127.0.1.3"]
        #expect(slots.admit(ids.next(), from: "127.0.1.3") == .admitted(evicting: strangerOld))
        slots.remove(strangerNew)
        #expect(slots.count == 2)
    }

    /// What the listener turns away before the accept: a stranger at its unproven share;
    /// once strangers fill their pool, every stranger holding a connection or refused since;
    /// never a member's address; nothing more once there is room again.
    @Test func theSourcesToTurnAwayAreStrangersWhoWouldBeRefused() {
        var slots = InboundSlots(limits: Self.limits)
        slots.memberAddresses = ["10.0.0.9"]
        let ids = Connections()
        let a1 = ids.next(), a2 = ids.next(), b1 = ids.next()
        _ = slots.admit(a1, from: "10.0.0.1")
        let refused1 = slots.refusedSources(now: 0)
        #expect(refused1.isEmpty)
        _ = slots.admit(a2, from: "10.0.0.1")
        let refused2 = slots.refusedSources(now: 0)
        #expect(refused2 == ["10.0.0.1"], "at its unproven share, a new one would only displace its own")
        _ = slots.admit(b1, from: "10.0.0.2")
        _ = slots.admit(ids.next(), from: "10.0.0.9")
        _ = slots.admit(ids.next(), from: "10.0.0.9")
        let refused3 = slots.refusedSources(now: 0)
        #expect(refused3 == ["10.0.0.1"], "a member's connections count for nobody")
        _ = slots.admit(ids.next(), from: "10.0.0.3")
        #expect(slots.admit(ids.next(), from: "10.0.0.4") == .refused(reason: "too many unproven inbound connections"))
        let refused4 = slots.refusedSources(now: 0)
        #expect(refused4 == ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"], "strangers' pool full")
        slots.memberAddresses = ["10.0.0.9", "10.0.0.4"]
        let refused5 = slots.refusedSources(now: 0)
        #expect(!refused5.contains("10.0.0.4"), "an address that becomes a member's is let in")
        slots.remove(b1)
        let refused6 = slots.refusedSources(now: 0)
        #expect(refused6 == ["10.0.0.1"], "room again: only the address at its share")
    }

    /// A stranger that broke the protocol is turned away until its deadline, whatever the
    /// room; a member's address never is, and a repeat does not extend the deadline.
    @Test func aStrangerThatBrokeTheProtocolIsTurnedAwayUntilItsDeadline() {
        var slots = InboundSlots(limits: Self.limits)
        slots.memberAddresses = ["10.0.0.9"]
        let first = slots.penalize("10.0.0.1", until: 100), repeated = slots.penalize("10.0.0.1", until: 500)
        let member = slots.penalize("10.0.0.9", until: 100)
        #expect(first && !repeated, "a repeat does not extend the deadline")
        #expect(!member, "a member's address is never turned away")
        let before = slots.refusedSources(now: 99), at = slots.refusedSources(now: 100)
        #expect(before == ["10.0.0.1"])
        #expect(at.isEmpty, "let back in at its deadline")
        let again = slots.penalize("10.0.0.1", until: 200)
        #expect(again, "and turned away again if it breaks it again")
    }
}
