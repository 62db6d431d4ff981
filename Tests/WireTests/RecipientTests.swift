import Basics
import Testing
@testable import PeerMessages
@testable import Wire

/// A sealed frame names the address it was sent to, and a receiver takes it only on a
/// connection to that address: a frame recorded on its way to one agent is refused by
/// every other, which has never seen its stamp.
@Suite struct RecipientTests {
    static let message = Fixture.gossip(.ping(sequence: 1))

    @Test func aFrameSealedForAnotherAgentIsRefusedAndLeavesItsGuardUntouched() throws {
        let sender = try Fixture.codec(key: Fixture.keyA), receiver = try Fixture.codec(key: Fixture.keyA)
        let body = try frameBodies(sender.encode(Self.message, to: "127.0.1.1:7400"))[0]
        #expect(throws: Wire.DecodeError.wrongRecipient(sentTo: "127.0.1.1:7400", receivedAt: "127.0.1.2:7400")) {
            try receiver.decodeBody(body, receivedAt: "127.0.1.2:7400")
        }
        #expect(try receiver.decodeBody(body, receivedAt: "127.0.1.1:7400") == Self.message, "refused before the replay guard saw it")
    }

    @Test func noSealedFrameMatchesAnUnknownLocalAddress() throws {
        let body = try Fixture.seal(Self.message.serializedBytes(), sender: "alpha", recipient: "")
        #expect(throws: Wire.DecodeError.wrongRecipient(sentTo: "", receivedAt: "")) {
            try Fixture.codec(key: Fixture.keyA).decodeBody(body, receivedAt: "")
        }
    }

    @Test func plaintextFramesCarryNoRecipient() throws {
        let codec = try Fixture.codec(key: nil)
        let body = try frameBodies(codec.encode(Self.message, to: "127.0.1.1:7400"))[0]
        #expect(try codec.decodeBody(body, receivedAt: "127.0.1.2:7400") == Self.message)
    }

    @Test(arguments: [
        ("127.0.1.1", 7400, "127.0.1.1:7400"),
        ("::ffff:127.0.1.1", 7400, "127.0.1.1:7400"),
        ("::FFFF:10.0.0.5", 1, "10.0.0.5:1"),
        ("::1", 7400, "[::1]:7400"),
        ("fe80::1", 80, "[fe80::1]:80"),
    ])
    func bothEndsOfAConnectionWriteItsAddressAlike(host: String, port: Int, text: String) {
        #expect(Wire.SealedHeader.recipientText(host: host, port: port) == text)
    }

    @Test func theHeaderRoundTripsAndATruncatedOneIsRefused() throws {
        let header = Wire.SealedHeader(sender: NodeID("alpha"), recipient: "[::1]:7400", stamp: 0x0102_0304_0506_0708)
        let bytes = header.encoded() + [9, 9]
        let (decoded, rest) = try Wire.SealedHeader.decode(bytes)
        #expect(decoded == header)
        #expect(Array(rest) == [9, 9])
        for length in 0 ..< header.encoded().count {
            #expect(throws: Wire.DecodeError.self) { try Wire.SealedHeader.decode(Array(bytes.prefix(length))) }
        }
    }
}
