import Basics
import Membership
import Testing
@testable import PeerMessages
@testable import Wire

@Suite struct PeerCodecTests {
    @Test(arguments: Fixture.all, Fixture.Keying.allCases)
    func everyMessageKind_roundTrips(fixture: Fixture, keying: Fixture.Keying) throws {
        let codec = try Fixture.codec(key: keying.key)
        let frame = try codec.encode(fixture.message, to: Fixture.recipient)
        let bodies = try frameBodies(frame)
        try #require(bodies.count == 1)
        #expect(try codec.decodeBody(bodies[0], receivedAt: Fixture.recipient) == fixture.message)
    }

    /// Golden bytes pin the wire format: a change here breaks mixed-version clusters.
    @Test func ping_encodesToGoldenBytes() throws {
        let message = Wire.PeerMessage.gossip(Membership.Envelope(
            sender: NodeID("a"), senderAddress: Endpoint(host: "h", port: 7400), message: .ping(sequence: 1)
        ))
        let golden: [UInt8] = [
            0x00, 0x00, 0x00, 0x13,  // length 19
            0x08, 0x01,  // version = 1
            0x52, 0x0F,  // gossip (field 10), 15 bytes
            0x0A, 0x01, 0x61,  // sender = "a"
            0x12, 0x06, 0x0A, 0x01, 0x68, 0x10, 0xE8, 0x39,  // sender_address = h:7400
            0x52, 0x02, 0x08, 0x01,  // ping (field 10) { sequence = 1 }
        ]
        let codec = try Fixture.codec(key: nil)
        #expect(try codec.encode(message, to: Fixture.recipient) == golden)
        #expect(try codec.decodeBody(Array(golden.dropFirst(4)), receivedAt: Fixture.recipient) == message)
    }

    @Test func messageOverFrameLimit_isRefusedByEncoder() throws {
        let codec = try Fixture.codec(key: nil, maxFrameBytes: 64)
        let big = Fixture.all.first { $0.name == "pushPull reply" }!.message
        #expect(throws: Wire.FrameError.self) { try codec.encode(big, to: Fixture.recipient) }
    }

    @Test func sealedFrame_hidesPlaintext() throws {
        let message = Fixture.gossip(.ping(sequence: 1))
        let plain = try Fixture.codec(key: nil).encode(message, to: Fixture.recipient)
        let sealed = try Fixture.codec(key: Fixture.keyA).encode(message, to: Fixture.recipient)
        // The sealed header: name length, "alpha", recipient length, the recipient, an 8-byte stamp.
        #expect(sealed.count == plain.count + Wire.Sealer.overheadByteCount + 1 + 5 + 1 + Fixture.recipient.utf8.count + 8)
        #expect(!sealed.containsSubsequence(Array("alpha".utf8)))
        #expect(!sealed.containsSubsequence(Array(Fixture.recipient.utf8)))
    }

    @Test func keyedFrame_toPlaintextReceiver_isDecodeError() throws {
        let sealed = try Fixture.codec(key: Fixture.keyA).encode(Fixture.all[1].message, to: Fixture.recipient)
        let body = try frameBodies(sealed)[0]
        #expect(throws: Wire.DecodeError.self) { try Fixture.codec(key: nil).decodeBody(body, receivedAt: Fixture.recipient) }
    }

    @Test func plaintextFrame_toKeyedReceiver_isUnsealingError() throws {
        let plain = try Fixture.codec(key: nil).encode(Fixture.all[1].message, to: Fixture.recipient)
        let body = try frameBodies(plain)[0]
        #expect(throws: Wire.DecodeError.unsealing(.authenticationFailed)) {
            try Fixture.codec(key: Fixture.keyA).decodeBody(body, receivedAt: Fixture.recipient)
        }
        let shortBody: [UInt8] = [0x08, 0x01, 0x52, 0x00]  // a tiny plaintext PeerFrame
        #expect(throws: Wire.DecodeError.unsealing(.tooShort(length: 4, minimum: 28))) {
            try Fixture.codec(key: Fixture.keyA).decodeBody(shortBody, receivedAt: Fixture.recipient)
        }
    }

    @Test func frameUnderWrongKey_isUnsealingError() throws {
        let body = try frameBodies(try Fixture.codec(key: Fixture.keyA).encode(Fixture.all[0].message, to: Fixture.recipient))[0]
        #expect(throws: Wire.DecodeError.unsealing(.authenticationFailed)) {
            try Fixture.codec(key: Fixture.keyB).decodeBody(body, receivedAt: Fixture.recipient)
        }
    }

    @Test(arguments: [[UInt8]([0xFF]), [0x0A], [0x08], [0x52, 0x7F, 0x00], [0x08, 0x01, 0x52, 0x02, 0x0A, 0xFF]])
    func garbageBytes_areUnparseable(body: [UInt8]) throws {
        let error = #expect(throws: Wire.DecodeError.self) { try Fixture.codec(key: nil).decodeBody(body, receivedAt: Fixture.recipient) }
        guard case .unparseable? = error else {
            Issue.record("expected .unparseable, got \(String(describing: error))")
            return
        }
    }

    @Test func unknownFutureBody_isMissingBody() throws {
        // version = 1, then field 39 (reserved for a future Raft body) as 2 length-delimited bytes.
        let body: [UInt8] = [0x08, 0x01, 0xBA, 0x02, 0x02, 0x08, 0x01]
        #expect(throws: Wire.DecodeError.missingBody(path: "body.39")) { try Fixture.codec(key: nil).decodeBody(body, receivedAt: Fixture.recipient) }
    }

    /// What the frame itself refuses, before any kind's decoder: hostile bytes get a typed
    /// error, never a trap.
    @Test(arguments: [
        ("a second message", [0x08, 0x01, 0x52, 0x00, 0x52, 0x00], Wire.DecodeError.invalidField(path: "body", reason: "more than one message")),
        ("field number 0", [0x02, 0x00], .unparseable(reason: "field number 0")),
        ("a group", [0x08, 0x01, 0x53], .unparseable(reason: "wire type 3")),
        ("a length past the end", [0x08, 0x01, 0x52, 0x05, 0x00], .unparseable(reason: "field length 5 past the end")),
        ("a truncated varint", [0x08, 0x81], .unparseable(reason: "truncated varint")),
        ("an 11-byte varint", [0x08] + [UInt8](repeating: 0xFF, count: 10) + [0x01], .unparseable(reason: "varint longer than 10 bytes")),
        ("a truncated fixed64", [0x08, 0x01, 0x11, 0x00], .unparseable(reason: "truncated field")),
        ("a version of 2^32", [0x08, 0x80, 0x80, 0x80, 0x80, 0x10, 0x52, 0x00], .unsupportedVersion(0)),
    ] as [(String, [UInt8], Wire.DecodeError)])
    func malformedFramesAreRefused(name: String, body: [UInt8], expected: Wire.DecodeError) {
        #expect(throws: expected, "\(name)") { try Wire.Payload.decode(body) }
    }

    /// Fields 2-9 belong to the frame: unknown ones are skipped, as protobuf skips them, so a
    /// newer frame field does not make an older agent refuse the message.
    @Test func unknownFrameFieldsAreSkipped() throws {
        let body: [UInt8] = [0x08, 0x01, 0x10, 0x07, 0x1A, 0x01, 0x00, 0x25, 0, 0, 0, 0, 0x29, 0, 0, 0, 0, 0, 0, 0, 0, 0x52, 0x00]
        #expect(try Wire.Payload.decode(body) == Wire.Payload(kind: 10, bytes: []))
    }

    @Test func decodeErrorDescriptions_nameFieldAndReason() {
        #expect(
            Wire.DecodeError.invalidField(path: "gossip.sender_address.port", reason: "0 is outside 1...65535")
                .description == "gossip.sender_address.port: 0 is outside 1...65535"
        )
        #expect(Wire.DecodeError.unsupportedVersion(2).description.contains("unsupported wire version 2"))
        #expect(Wire.DecodeError.unsealing(.authenticationFailed).description.hasPrefix("cannot open frame:"))
    }
}

extension Array where Element: Equatable {
    func containsSubsequence(_ needle: [Element]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return needle.isEmpty }
        return (0...(count - needle.count)).contains { Array(self[$0..<$0 + needle.count]) == needle }
    }
}
