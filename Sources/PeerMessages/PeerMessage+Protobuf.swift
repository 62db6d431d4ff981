import AgentCore
import Basics
import Consensus
import Membership
import SwiftProtobuf
import Wire

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
        self = try Wire.MessageKinds.agent.decode(.decode(bytes))
    }

    /// The plaintext frame body.
    package func serializedBytes() throws -> [UInt8] {
        try payload().encoded()
    }

    /// The message under its kind.
    package func payload() throws -> Wire.Payload {
        switch self {
        case let .gossip(envelope): try Wire.Payload(.gossip, Ordinal_Wire_V1_GossipEnvelope(envelope))
        case let .raft(message): try Wire.Payload(.raft, Ordinal_Wire_V1_RaftMessage(message))
        case let .lease(message): try .lease(message)
        case let .forward(message): try .forward(message)
        case let .logs(message): try .logs(message)
        case let .keyring(message): try .keyring(message)
        case let .volume(message): try .volume(message)
        case let .hello(from): try Wire.Payload(.hello, Ordinal_Wire_V1_Hello.with { $0.from = from.name })
        }
    }

    /// The `Hello` a connection starts with: the transport's own, never the agent's.
    package var isGreeting: Bool {
        if case .hello = self { true } else { false }
    }

    /// The greeting of an agent named `name`.
    package static func greeting(from name: NodeID) -> Wire.PeerMessage {
        .hello(from: name)
    }
}

extension Wire.MessageKinds where M == CorePeerMessage {
    /// The transport's greeting.
    mutating func registerHello() {
        register(.hello, as: Ordinal_Wire_V1_Hello.self) { proto, path throws(Wire.DecodeError) in
            .hello(from: try NodeID(proto.from, path: "\(path).from"))
        }
    }
}
