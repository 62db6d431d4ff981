import Testing
@testable import PeerMessages
@testable import Wire

/// Each case starts from a valid ping request with gossip and breaks one field, so a test
/// failure points at exactly one validation rule.
struct InvalidCase: Sendable, CustomTestStringConvertible {
    let name: String
    let expected: Wire.DecodeError
    let breakIt: @Sendable (inout PeerFrame) -> Void

    var testDescription: String { name }

    static func valid() -> PeerFrame {
        let message = Fixture.gossip(
            .pingRequest(sequence: 5, target: .init("beta"), targetAddress: .init(host: "b", port: 2)),
            gossip: Fixture.members
        )
        return PeerFrame(message)
    }

    static let all: [InvalidCase] = [
        .init(name: "version 0", expected: .unsupportedVersion(0)) { $0.version = 0 },
        // A forged claim at 2^64-1 made the member it names trap when it refuted it.
        .init(name: "incarnation 2^64-1", expected: .invalidField(path: "gossip.gossip[0].incarnation", reason: "18446744073709551615 is above 4611686018427387904")) {
            $0.gossip.gossip[0].incarnation = .max
        },
        .init(name: "version 2", expected: .unsupportedVersion(2)) { $0.version = 2 },
        .init(name: "no body", expected: .missingBody(path: "body")) { $0.body = nil },
        .init(name: "no envelope message", expected: .missingBody(path: "gossip.message")) {
            $0.gossip.message = nil
        },
        .init(name: "empty sender", expected: .invalidField(path: "gossip.sender", reason: "empty name")) {
            $0.gossip.sender = ""
        },
        .init(name: "missing sender address", expected: .invalidField(path: "gossip.sender_address", reason: "missing")) {
            $0.gossip.clearSenderAddress()
        },
        .init(name: "empty sender host", expected: .invalidField(path: "gossip.sender_address.host", reason: "empty")) {
            $0.gossip.senderAddress.host = ""
        },
        .init(
            name: "port 0",
            expected: .invalidField(path: "gossip.sender_address.port", reason: "0 is outside 1...65535")
        ) { $0.gossip.senderAddress.port = 0 },
        .init(
            name: "port 65536",
            expected: .invalidField(path: "gossip.sender_address.port", reason: "65536 is outside 1...65535")
        ) { $0.gossip.senderAddress.port = 65536 },
        .init(
            name: "empty ping request target",
            expected: .invalidField(path: "gossip.ping_request.target", reason: "empty name")
        ) { $0.gossip.pingRequest.target = "" },
        .init(
            name: "missing ping request target address",
            expected: .invalidField(path: "gossip.ping_request.target_address", reason: "missing")
        ) { $0.gossip.pingRequest.clearTargetAddress() },
        .init(name: "empty member id", expected: .invalidField(path: "gossip.gossip[2].id", reason: "empty name")) {
            $0.gossip.gossip[2].id = ""
        },
        .init(
            name: "missing member address", expected: .invalidField(path: "gossip.gossip[0].address", reason: "missing")
        ) { $0.gossip.gossip[0].clearAddress() },
        .init(
            name: "member port too large",
            expected: .invalidField(path: "gossip.gossip[3].address.port", reason: "4294967295 is outside 1...65535")
        ) { $0.gossip.gossip[3].address.port = .max },
        .init(
            name: "unspecified status", expected: .invalidField(path: "gossip.gossip[1].status", reason: "unspecified")
        ) { $0.gossip.gossip[1].status = .unspecified },
        .init(
            name: "unknown status", expected: .invalidField(path: "gossip.gossip[0].status", reason: "unknown value 9")
        ) { $0.gossip.gossip[0].status = .UNRECOGNIZED(9) },
        .init(
            name: "push-pull member with unknown status",
            expected: .invalidField(path: "gossip.push_pull.members[1].status", reason: "unknown value -1")
        ) {
            $0.gossip.pushPull = .with { $0.members = Self.valid().gossip.gossip }
            $0.gossip.pushPull.members[1].status = .UNRECOGNIZED(-1)
        },
    ]
}

@Suite struct PeerMessageValidationTests {
    @Test func validFrame_decodes() throws {
        let bytes: [UInt8] = try InvalidCase.valid().serializedBytes()
        #expect(throws: Never.self) { try Wire.PeerMessage(serializedBytes: bytes) }
    }

    @Test(arguments: InvalidCase.all)
    func invalidField_isRejectedWithPathAndReason(_ invalid: InvalidCase) throws {
        var frame = InvalidCase.valid()
        invalid.breakIt(&frame)
        let bytes: [UInt8] = try frame.serializedBytes()
        #expect(throws: invalid.expected) { try Fixture.codec(key: nil).decodeBody(bytes, receivedAt: Fixture.recipient) }
        #expect(throws: invalid.expected) { try Fixture.codec(key: Fixture.keyA).decodeBody(Fixture.seal(bytes, sender: frame.gossip.sender), receivedAt: Fixture.recipient) }
    }
}
