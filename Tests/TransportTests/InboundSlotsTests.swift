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
}
