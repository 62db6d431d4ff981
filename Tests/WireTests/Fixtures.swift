import AgentCore
import Basics
import Membership
import Testing
@testable import PeerMessages
@testable import Wire

/// Named sample messages covering every ``Membership/Message`` kind, for table-driven tests
/// and as seeds for the fuzz test.
struct Fixture: Sendable, CustomTestStringConvertible {
    let name: String
    let message: Wire.PeerMessage

    var testDescription: String { name }

    static let alpha = NodeID("alpha")
    static let alphaAddress = Endpoint(host: "10.0.0.1", port: 7400)

    static let members: [Membership.Member] = [
        .init(id: NodeID("beta"), address: Endpoint(host: "10.0.0.2", port: 7400), status: .alive, incarnation: 0),
        .init(
            id: NodeID("gamma"), address: Endpoint(host: "::1", port: 65535), status: .suspect, incarnation: 7,
            metadata: ["role": "server", "api": "10.0.0.3:8080", "": "empty key", "ünï": "cödé 🚀"]
        ),
        .init(id: NodeID("delta"), address: Endpoint(host: "d.example", port: 1), status: .dead, incarnation: Wire.maxIncarnation),
        .init(id: NodeID("epsilon"), address: Endpoint(host: "e", port: 7401), status: .left, incarnation: 3),
    ]

    static func gossip(_ message: Membership.Message, gossip: [Membership.Member] = []) -> Wire.PeerMessage {
        .gossip(Membership.Envelope(sender: alpha, senderAddress: alphaAddress, message: message, gossip: gossip))
    }

    static let all: [Fixture] = [
        Fixture(name: "ping", message: gossip(.ping(sequence: 1))),
        Fixture(name: "ping with max sequence and gossip", message: gossip(.ping(sequence: .max), gossip: members)),
        Fixture(
            name: "pingRequest",
            message: gossip(.pingRequest(sequence: 42, target: NodeID("beta"), targetAddress: members[0].address))
        ),
        Fixture(name: "ack", message: gossip(.ack(sequence: 0))),
        Fixture(name: "ack with gossip", message: gossip(.ack(sequence: 9), gossip: [members[1]])),
        Fixture(name: "nack", message: gossip(.nack(sequence: 12345))),
        Fixture(name: "pushPull request, empty", message: gossip(.pushPull(members: [], isReply: false))),
        Fixture(name: "pushPull reply", message: gossip(.pushPull(members: members, isReply: true))),
        Fixture(
            name: "pushPull of 500 members",
            message: gossip(.pushPull(
                members: (0..<500).map {
                    Membership.Member(
                        id: NodeID("node-\($0)"), address: Endpoint(host: "10.1.\($0 / 256).\($0 % 256)", port: 7400),
                        status: Membership.Status.allCases[$0 % 4], incarnation: UInt64($0),
                        metadata: ["role": $0.isMultiple(of: 3) ? "server" : "client"]
                    )
                },
                isReply: false
            ))
        ),
        Fixture(name: "lease request", message: .lease(.request(from: NodeID("a2"), to: NodeID("a1"), sequence: 7))),
        Fixture(
            name: "lease grant",
            message: .lease(.grant(from: NodeID("a1"), to: NodeID("a2"), sequence: .max, term: 3, readIndex: 1_234))
        ),
    ]

    /// Plaintext or sealed with ``keyA``, as a readable test argument.
    enum Keying: String, Sendable, CaseIterable, CustomTestStringConvertible {
        case plaintext, keyed
        var key: [UInt8]? { self == .keyed ? Fixture.keyA : nil }
        var testDescription: String { rawValue }
    }

    static let keyA: [UInt8] = Array(0..<32)
    static let keyB: [UInt8] = Array(repeating: 0xAB, count: 32)

    static func codec(key: [UInt8]?, maxFrameBytes: Int = Wire.defaultMaxFrameBytes) throws -> Wire.PeerCodec {
        Wire.PeerCodec(keyring: try Wire.Keyring(key: key), maxFrameBytes: maxFrameBytes)
    }

    /// The address frames are sealed for and received at, unless a test says otherwise.
    static let recipient = "127.0.0.1:7400"

    /// A protobuf body sealed as a keyed codec seals it: under a header naming `sender` and
    /// `recipient`, stamped now (or at `stamp`).
    static func seal(_ body: [UInt8], sender: String, recipient: String = recipient, key: [UInt8] = keyA, stamp: UInt64 = Wire.systemWallMicros()) throws -> [UInt8] {
        try Wire.Sealer(key: key).seal(Wire.SealedHeader(sender: NodeID(sender), recipient: recipient, stamp: stamp).encoded() + body)
    }
}

/// Reads every complete frame body from `bytes`, failing the test on framing errors.
func frameBodies(_ bytes: [UInt8], maxFrameBytes: Int = Wire.defaultMaxFrameBytes) throws -> [[UInt8]] {
    var decoder = Wire.FrameDecoder(maxFrameBytes: maxFrameBytes)
    decoder.append(bytes)
    var bodies: [[UInt8]] = []
    while let body = try decoder.nextFrame() {
        bodies.append(body)
    }
    try decoder.finish()
    return bodies
}
