import AgentCore
import Basics
import Testing
@testable import PeerMessages
@testable import Wire

/// The keyring rotates keys without an outage: frames are sealed with the primary and
/// opened with any installed key; every refused operation leaves it as it was.
@Suite struct KeyringTests {
    static let keyC: [UInt8] = Array(repeating: 0xC0, count: 32)

    @Test func framesSealedWithAnyInstalledKeyOpenAndThePrimarySeals() throws {
        let old = try Wire.Keyring(key: Fixture.keyA), rotated = try Wire.Keyring(key: Fixture.keyA)
        try rotated.apply(.install(key: Fixture.keyB))
        #expect(try rotated.open(old.seal([1, 2, 3])) == [1, 2, 3], "the old primary still opens")
        try rotated.apply(.use(key: Fixture.keyB))
        #expect(rotated.keys == [Fixture.keyB, Fixture.keyA])
        let sealed = try rotated.seal([4, 5])
        #expect(throws: Wire.SealError.authenticationFailed) { try old.open(sealed) }
        try old.apply(.install(key: Fixture.keyB))
        #expect(try old.open(sealed) == [4, 5], "an agent that installed the key opens frames sealed with it")
        try rotated.apply(.remove(key: Fixture.keyA))
        #expect(rotated.keys == [Fixture.keyB])
        #expect(throws: Wire.SealError.authenticationFailed) { try rotated.open(try Wire.Keyring(key: Fixture.keyA).seal([6])) }
    }

    @Test func refusalsChangeNothing() throws {
        let keyring = try Wire.Keyring(keys: [Fixture.keyA, Fixture.keyB])
        let cases: [(KeyringOperation, Wire.KeyringError)] = [
            (.use(key: Self.keyC), .notInstalled),
            (.remove(key: Fixture.keyA), .removingPrimary),
            (.install(key: [1, 2, 3]), .badKey(.wrongLength(3))),
        ]
        for (operation, error) in cases {
            #expect(throws: error) { try keyring.apply(operation) }
            #expect(keyring.keys == [Fixture.keyA, Fixture.keyB])
        }
        try keyring.apply(.install(key: Fixture.keyB))
        try keyring.apply(.remove(key: Self.keyC))
        #expect(keyring.keys == [Fixture.keyA, Fixture.keyB], "install of an installed key and remove of an absent one are no-ops")
    }

    @Test func aPlaintextKeyringStaysPlaintext() throws {
        let keyring = try Wire.Keyring(key: nil)
        #expect(throws: Wire.KeyringError.plaintext) { try keyring.apply(.install(key: Fixture.keyA)) }
        #expect(!keyring.isKeyed && keyring.keys.isEmpty)
        #expect(try keyring.seal([9]) == [9])
        try keyring.apply(.list)
    }

    @Test func keysAreBounded() throws {
        let keys = (0 ..< Wire.Keyring.maxKeys).map { [UInt8](repeating: UInt8($0), count: 32) }
        let keyring = try Wire.Keyring(keys: keys)
        #expect(throws: Wire.KeyringError.tooManyKeys(limit: Wire.Keyring.maxKeys)) { try keyring.apply(.install(key: Self.keyC)) }
        #expect(throws: Wire.KeyringError.tooManyKeys(limit: Wire.Keyring.maxKeys)) { try Wire.Keyring(keys: keys + [Self.keyC]) }
        #expect(throws: Wire.KeyringError.duplicateKey) { try Wire.Keyring(keys: [Fixture.keyA, Fixture.keyA]) }
    }

    @Test func aCodecOpensFramesOfEveryInstalledKey() throws {
        let sender = try Fixture.codec(key: Fixture.keyB)
        let receiver = Wire.PeerCodec(keyring: try Wire.Keyring(keys: [Fixture.keyA, Fixture.keyB]))
        let message = Fixture.gossip(.ping(sequence: 7))
        #expect(try receiver.decodeBody(frameBodies(sender.encode(message, to: Fixture.recipient))[0], receivedAt: Fixture.recipient) == message)
    }

    static let a = NodeID("a1"), b = NodeID("a2")

    @Test(arguments: [
        KeyringMessage.request(from: a, to: b, id: 1, operation: .list),
        .request(from: a, to: b, id: 2, operation: .install(key: Fixture.keyA)),
        .request(from: a, to: b, id: 3, operation: .use(key: Fixture.keyB)),
        .request(from: a, to: b, id: .max, operation: .remove(key: keyC)),
        .response(from: b, to: a, id: 3, keyDigests: [Wire.Keyring.digest(of: Fixture.keyB), Wire.Keyring.digest(of: Fixture.keyA)], error: nil),
        .response(from: b, to: a, id: 4, keyDigests: [], error: "the key is not installed"),
    ])
    func messagesRoundTrip(message: KeyringMessage) throws {
        let frame = Wire.PeerMessage.keyring(message)
        #expect(try Wire.PeerMessage(serializedBytes: frame.serializedBytes()) == frame)
    }

    @Test func malformedMessagesAreRefused() throws {
        var request = PeerFrame()
        request.version = Wire.protocolVersion
        request.keyringRequest = .with { $0.from = "a1"; $0.to = "a2"; $0.op = .install; $0.key = .init([1, 2, 3]) }
        #expect(throws: Wire.DecodeError.self) { try Wire.PeerMessage(frame: request) }
        request.keyringRequest = .with { $0.from = "a1"; $0.to = "a2"; $0.op = .unspecified }
        #expect(throws: Wire.DecodeError.self) { try Wire.PeerMessage(frame: request) }
        var response = PeerFrame()
        response.version = Wire.protocolVersion
        response.keyringResponse = .with { $0.from = "a2"; $0.to = "a1"; $0.keyDigests = Array(repeating: .init(repeating: 0, count: 32), count: Wire.Keyring.maxKeys + 1) }
        #expect(throws: Wire.DecodeError.self) { try Wire.PeerMessage(frame: response) }
        response.keyringResponse = .with { $0.from = "a2"; $0.to = "a1"; $0.keyDigests = [.init(repeating: 0, count: 31)] }
        #expect(throws: Wire.DecodeError.self) { try Wire.PeerMessage(frame: response) }
    }

    @Test func fingerprintsAreShortAndStable() {
        let fingerprint = Wire.Keyring.fingerprint(digest: Wire.Keyring.digest(of: Fixture.keyA))
        #expect(fingerprint.hasPrefix("sha256:") && fingerprint.count == "sha256:".count + 16)
        #expect(fingerprint == Wire.Keyring.fingerprint(digest: Wire.Keyring.digest(of: Array(0 ..< 32))))
        #expect(fingerprint != Wire.Keyring.fingerprint(digest: Wire.Keyring.digest(of: Fixture.keyB)))
    }
}
