import AgentCore
import Basics
import Consensus
import Membership
import SwiftProtobuf

/// Conversions between ``Wire/PeerMessage`` and the generated `Ordinal_Wire_V1_*` types.
///
/// Encoding is total. Decoding treats the bytes as hostile: every field a core relies on is
/// checked here, so cores never see an empty name, a port of 0, an unknown status or a
/// Raft message that `RaftNode.step` would trap on (conventions §8.5 rule 7; the Raft rules
/// are listed in `Raft+ProtobufDecoding.swift`). Errors carry a dotted field path, never
/// field contents.
extension Wire.PeerMessage {
    /// Parses and validates a plaintext frame body.
    /// - Throws: ``Wire/DecodeError`` other than `.unsealing`.
    package init(serializedBytes bytes: [UInt8]) throws(Wire.DecodeError) {
        var options = BinaryDecodingOptions()
        options.discardUnknownFields = true
        let frame: Ordinal_Wire_V1_PeerFrame
        do {
            frame = try Ordinal_Wire_V1_PeerFrame(serializedBytes: bytes, options: options)
        } catch {
            throw .unparseable(reason: String(describing: error))
        }
        try self.init(frame: frame)
    }

    init(frame: Ordinal_Wire_V1_PeerFrame) throws(Wire.DecodeError) {
        guard frame.version == Wire.protocolVersion else { throw .unsupportedVersion(frame.version) }
        switch frame.body {
        case let .gossip(envelope)?:
            self = .gossip(try Membership.Envelope(envelope, path: "gossip"))
        case let .raft(message)?:
            self = .raft(try Raft.Message(message, path: "raft"))
        case let .leaseRequest(request)?:
            self = .lease(try LeaseMessage(request, path: "lease_request"))
        case let .leaseGrant(grant)?:
            self = .lease(try LeaseMessage(grant, path: "lease_grant"))
        case let .forwardPropose(propose)?:
            self = .forward(try ForwardMessage(propose, path: "forward_propose"))
        case let .forwardRefused(refused)?:
            self = .forward(try ForwardMessage(refused, path: "forward_refused"))
        case let .logRequest(request)?:
            self = .logs(try LogMessage(request, path: "log_request"))
        case let .logChunk(chunk)?:
            self = .logs(try LogMessage(chunk, path: "log_chunk"))
        case let .logCancel(cancel)?:
            self = .logs(try LogMessage(cancel, path: "log_cancel"))
        case let .keyringRequest(request)?:
            self = .keyring(try KeyringMessage(request, path: "keyring_request"))
        case let .keyringResponse(response)?:
            self = .keyring(try KeyringMessage(response, path: "keyring_response"))
        case let .volumeChunk(chunk)?:
            self = .volume(try VolumeMessage(chunk, path: "volume_chunk"))
        case let .volumeAck(ack)?:
            self = .volume(try VolumeMessage(ack, path: "volume_ack"))
        case let .hello(hello)?:
            self = .hello(from: try NodeID(hello.from, path: "hello.from"))
        case nil:
            throw .missingBody(path: "body")
        }
    }

    /// The plaintext frame body: a serialized `PeerFrame`.
    package func serializedBytes() throws -> [UInt8] {
        try Ordinal_Wire_V1_PeerFrame(self).serializedBytes()
    }
}

extension Ordinal_Wire_V1_PeerFrame {
    init(_ message: Wire.PeerMessage) {
        self.init()
        version = Wire.protocolVersion
        switch message {
        case let .gossip(envelope):
            gossip = Ordinal_Wire_V1_GossipEnvelope(envelope)
        case let .raft(message):
            raft = Ordinal_Wire_V1_RaftMessage(message)
        case let .lease(message):
            setLease(message)
        case let .forward(message):
            setForward(message)
        case let .logs(message):
            setLogs(message)
        case let .keyring(message):
            setKeyring(message)
        case let .volume(message):
            setVolume(message)
        case let .hello(from):
            hello = .with { $0.from = from.name }
        }
    }
}

extension Wire.PeerMessage {
    /// The `Hello` a connection starts with: the transport's own, never the agent's.
    package var isGreeting: Bool {
        if case .hello = self { true } else { false }
    }

    /// The greeting of an agent named `name`.
    package static func greeting(from name: NodeID) -> Wire.PeerMessage {
        .hello(from: name)
    }
}
