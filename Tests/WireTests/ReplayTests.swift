import Basics
import Synchronization
import Testing
@testable import PeerMessages
@testable import Wire

/// Sealed frames name their sender and carry a stamp: a recorded frame played again is
/// dropped, so is one from outside the clock window, and one whose message speaks for
/// another agent than the one that sealed it.
@Suite struct ReplayTests {
    static let t0: UInt64 = 1_800_000_000_000_000

    /// A wall clock tests can move.
    final class Clock: Sendable {
        let micros = Mutex<UInt64>(ReplayTests.t0)
        func read() -> UInt64 { micros.withLock { $0 } }
        func move(by delta: Int64) { micros.withLock { $0 = UInt64(Int64($0) + delta) } }
    }

    static func codec(_ clock: Clock) throws -> Wire.PeerCodec {
        Wire.PeerCodec(keyring: try Wire.Keyring(key: Fixture.keyA), wallMicros: { clock.read() })
    }

    static let message = Fixture.gossip(.ping(sequence: 1))

    @Test func aFrameTakenOnceIsRefusedTheSecondTime() throws {
        let clock = Clock()
        let sender = try Self.codec(clock), receiver = try Self.codec(clock)
        let body = try frameBodies(sender.encode(Self.message, to: Fixture.recipient))[0]
        #expect(try receiver.decodeBody(body, receivedAt: Fixture.recipient) == Self.message)
        #expect(throws: Wire.DecodeError.replayed("already taken")) { try receiver.decodeBody(body, receivedAt: Fixture.recipient) }
        let next = try frameBodies(sender.encode(Self.message, to: Fixture.recipient))[0]
        #expect(try receiver.decodeBody(next, receivedAt: Fixture.recipient) == Self.message, "the sender's next frame is new")
    }

    @Test(arguments: [Int64(-31_000_000), 31_000_000])
    func aFrameFromOutsideTheClockWindowIsRefused(offset: Int64) throws {
        let senderClock = Clock(), receiverClock = Clock()
        senderClock.move(by: offset)
        let body = try frameBodies(Self.codec(senderClock).encode(Self.message, to: Fixture.recipient))[0]
        #expect(throws: Wire.DecodeError.replayed("stamped 31 s away from this agent's clock")) { try Self.codec(receiverClock).decodeBody(body, receivedAt: Fixture.recipient) }
    }

    @Test func framesSlightlyOutOfOrderAreTakenOnceAndOldOnesNot() throws {
        let clock = Clock()
        let sender = try Self.codec(clock), receiver = try Self.codec(clock)
        let first = try frameBodies(sender.encode(Self.message, to: Fixture.recipient))[0]
        clock.move(by: 500_000)
        let second = try frameBodies(sender.encode(Self.message, to: Fixture.recipient))[0]
        clock.move(by: 2_500_000)
        let third = try frameBodies(sender.encode(Self.message, to: Fixture.recipient))[0]
        _ = try receiver.decodeBody(second, receivedAt: Fixture.recipient)
        #expect(try receiver.decodeBody(first, receivedAt: Fixture.recipient) == Self.message, "0.5 s out of order is within the window")
        #expect(throws: Wire.DecodeError.replayed("already taken")) { try receiver.decodeBody(first, receivedAt: Fixture.recipient) }
        _ = try receiver.decodeBody(third, receivedAt: Fixture.recipient)
        #expect(throws: Wire.DecodeError.replayed("older than the reorder window")) { try receiver.decodeBody(second, receivedAt: Fixture.recipient) }
    }

    @Test func aMessageSpeakingForAnotherAgentIsRefused() throws {
        let body = try Fixture.seal(Self.message.serializedBytes(), sender: "mallory")
        #expect(throws: Wire.DecodeError.wrongSender(sealedBy: "mallory", claims: "alpha")) { try Fixture.codec(key: Fixture.keyA).decodeBody(body, receivedAt: Fixture.recipient) }
    }

    @Test func forgedSenderNamesDoNotMakeTheGuardForgetAMember() throws {
        let clock = Clock()
        let guardian = Wire.ReplayGuard(wallMicros: { clock.read() })
        guardian.remember(members: [NodeID("alpha")])
        let taken = Wire.SealedHeader(sender: NodeID("alpha"), recipient: Fixture.recipient, stamp: Self.t0)
        try guardian.admit(taken)
        for index in 0 ..< 5_000 {
            try guardian.admit(Wire.SealedHeader(sender: NodeID("forged-\(index)"), recipient: Fixture.recipient, stamp: Self.t0 + UInt64(index)))
        }
        #expect(throws: Wire.DecodeError.replayed("already taken")) { try guardian.admit(taken) }
        #expect(guardian.sendersKept == 1 + Wire.ReplayGuard.maxStrangers)
    }

    @Test func anAgentThatLeavesTheMembershipIsRememberedAsAStranger() throws {
        let clock = Clock()
        let guardian = Wire.ReplayGuard(wallMicros: { clock.read() })
        guardian.remember(members: [NodeID("alpha")])
        let taken = Wire.SealedHeader(sender: NodeID("alpha"), recipient: Fixture.recipient, stamp: Self.t0)
        try guardian.admit(taken)
        guardian.remember(members: [])
        #expect(throws: Wire.DecodeError.replayed("already taken")) { try guardian.admit(taken) }
        for index in 0 ..< Wire.ReplayGuard.maxStrangers {
            try guardian.admit(Wire.SealedHeader(sender: NodeID("joining-\(index)"), recipient: Fixture.recipient, stamp: Self.t0 + 1 + UInt64(index)))
        }
        #expect(guardian.sendersKept == Wire.ReplayGuard.maxStrangers, "the stranger heard from least recently made room")
    }

    @Test func stampsIncreaseWhenTheClockStandsStillOrStepsBack() {
        let clock = Clock()
        let stamps = Wire.StampClock(wallMicros: { clock.read() })
        let first = stamps.next()
        let second = stamps.next()
        clock.move(by: -1_000_000)
        let third = stamps.next()
        #expect(first < second && second < third)
    }
}
