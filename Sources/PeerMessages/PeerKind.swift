import SwiftProtobuf
import Wire

/// The agent's message kinds and the field numbers they travel under (`Proto/peer.proto`
/// documents each message). The numbers are the wire: never reuse or renumber one.
enum PeerKind: UInt32, CaseIterable {
    case gossip = 10
    case raft = 20
    case leaseRequest = 40
    case leaseGrant = 41
    case forwardPropose = 50
    case forwardRefused = 51
    case logRequest = 60
    case logChunk = 61
    case logCancel = 62
    case hello = 70
    case keyringRequest = 80
    case keyringResponse = 81
    case volumeChunk = 90
    case volumeAck = 91

    /// The kind's name in errors: its protobuf field name, as before kinds were registered.
    var name: String {
        String(describing: self).reduce(into: "") { name, character in
            if character.isUppercase { name += "_" + character.lowercased() } else { name.append(character) }
        }
    }
}

extension Wire.Payload {
    /// `message` serialized under `kind`.
    init(_ kind: PeerKind, _ message: some PeerProto) throws {
        self.init(kind: kind.rawValue, bytes: try message.serializedBytes())
    }
}

extension Wire.MessageKinds where M == CorePeerMessage {
    /// Registers `kind`, whose bytes are a `Proto`, converted by `convert` (given the kind's
    /// name as the path of its fields in errors).
    mutating func register<Proto: PeerProto>(
        _ kind: PeerKind, as _: Proto.Type,
        _ convert: @escaping @Sendable (Proto, String) throws(Wire.DecodeError) -> CorePeerMessage
    ) {
        let name = kind.name
        register(kind.rawValue, name: name) { bytes throws(Wire.DecodeError) in
            try convert(try Proto.parse(bytes), name)
        }
    }
}
