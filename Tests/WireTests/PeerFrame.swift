import Basics
import Foundation
import SwiftProtobuf
import Testing
@testable import PeerMessages
@testable import Wire

/// A frame as tests build and break it: the version and one kind's generated message, set
/// through a property per kind as the `oneof` the agent's kinds once were. Encodes exactly
/// as the wire does (field 1, then the message under its kind), so a broken field reaches
/// the kind's decoder.
struct PeerFrame {
    var version: UInt32 = Wire.protocolVersion
    private(set) var kind: PeerKind?
    private var bytes: [UInt8] = []

    /// Setting nil removes the message.
    var body: Never? {
        get { nil }
        set { kind = nil; bytes = [] }
    }

    init() {}

    init(_ message: Wire.PeerMessage) {
        let payload = try! message.payload()
        kind = PeerKind(rawValue: payload.kind)
        bytes = payload.bytes
    }

    init(serializedBytes body: [UInt8]) throws {
        let payload = try Wire.Payload.decode(body)
        kind = PeerKind(rawValue: payload.kind)
        bytes = payload.bytes
    }

    func serializedBytes() -> [UInt8] {
        var body: [UInt8] = []
        if version != 0 { Self.varint(1 << 3, &body); Self.varint(UInt64(version), &body) }
        if let kind {
            Self.varint(UInt64(kind.rawValue) << 3 | 2, &body)
            Self.varint(UInt64(bytes.count), &body)
            body += bytes
        }
        return body
    }

    private static func varint(_ value: UInt64, _ bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 { bytes.append(UInt8(truncatingIfNeeded: value) | 0x80); value >>= 7 }
        bytes.append(UInt8(value))
    }

    private func message<P: SwiftProtobuf.Message>(_ kind: PeerKind) -> P {
        self.kind == kind ? try! P(serializedBytes: bytes) : P()
    }

    private mutating func set(_ kind: PeerKind, _ message: some SwiftProtobuf.Message) {
        self.kind = kind
        bytes = try! message.serializedBytes()
    }

    var gossip: Ordinal_Wire_V1_GossipEnvelope { get { message(.gossip) } set { set(.gossip, newValue) } }
    var raft: Ordinal_Wire_V1_RaftMessage { get { message(.raft) } set { set(.raft, newValue) } }
    var leaseRequest: Ordinal_Wire_V1_LeaseRequest { get { message(.leaseRequest) } set { set(.leaseRequest, newValue) } }
    var leaseGrant: Ordinal_Wire_V1_LeaseGrant { get { message(.leaseGrant) } set { set(.leaseGrant, newValue) } }
    var keyringRequest: Ordinal_Wire_V1_KeyringRequest { get { message(.keyringRequest) } set { set(.keyringRequest, newValue) } }
    var keyringResponse: Ordinal_Wire_V1_KeyringResponse { get { message(.keyringResponse) } set { set(.keyringResponse, newValue) } }
}

extension Wire.PeerMessage {
    init(frame: PeerFrame) throws(Wire.DecodeError) {
        try self.init(serializedBytes: frame.serializedBytes())
    }
}

/// The frames an agent sent before its services registered their kinds, captured from that
/// build (8e98126): the registered kinds must encode them byte for byte and decode them.
@Suite struct PeerFrameCompatibilityTests {
    static let captured: [(String, Wire.PeerMessage, String)] = [
        ("hello", .hello(from: NodeID("a1")), "0801b204040a026131"),
        ("ping", Fixture.all[0].message, "0801521a0a05616c706861120d0a0831302e302e302e3110e83952020801"),
        ("nack", Fixture.all[5].message, "0801521b0a05616c706861120d0a0831302e302e302e3110e8396a0308b960"),
        ("lease grant", Fixture.all.last!.message, "0801ca02180a0261311202613218ffffffffffffffffff01200328d209"),
        ("raft vote response", .raft(.init(from: NodeID("a1"), to: NodeID("a2"), term: 5, payload: .voteResponse(granted: true))), "0801a2010e0a0261311202613218056a020801"),
    ]

    @Test(arguments: captured.indices)
    func registeredKindsSpeakTheEarlierWire(index: Int) throws {
        let (name, message, hex) = Self.captured[index]
        let bytes = try message.serializedBytes()
        #expect(bytes.map { String(format: "%02x", $0) }.joined() == hex, "\(name)")
        let old = stride(from: 0, to: hex.count, by: 2).map { UInt8(hex.dropFirst($0).prefix(2), radix: 16)! }
        #expect(try Wire.PeerMessage(serializedBytes: old) == message, "\(name)")
    }

    @Test func everyKindIsRegisteredOnce() {
        #expect(Wire.MessageKinds.agent.numbers == PeerKind.allCases.map(\.rawValue).sorted())
    }
}
