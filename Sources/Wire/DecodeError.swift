extension Wire {
    /// A frame body that is not a valid message of a registered kind. The shell drops and counts the
    /// frame; descriptions name the offending field but never carry its contents.
    package enum DecodeError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The body did not open with the receiver's key (or lack of one).
        case unsealing(SealError)
        /// The bytes are not a protobuf `PeerFrame` (see ``Payload``).
        case unparseable(reason: String)
        /// `PeerFrame.version` is not ``Wire/protocolVersion``.
        case unsupportedVersion(UInt32)
        /// The frame or envelope carries no body this build knows, at the given path.
        case missingBody(path: String)
        /// A field is absent, empty or out of range; `path` is dotted, e.g.
        /// `gossip.gossip[3].address.port`.
        case invalidField(path: String, reason: String)
        /// A sealed frame seen before, or stamped outside this agent's time window.
        case replayed(String)
        /// The message inside speaks for another agent than the one that sealed it.
        case wrongSender(sealedBy: String, claims: String)
        /// A sealed frame sent to another address than the one it arrived on: recorded on
        /// its way to another agent and replayed here.
        case wrongRecipient(sentTo: String, receivedAt: String)

        package var description: String {
            switch self {
            case let .unsealing(error):
                "cannot open frame: \(error)"
            case let .unparseable(reason):
                "frame is not a valid PeerFrame: \(reason)"
            case let .unsupportedVersion(version):
                "unsupported wire version \(version) (this agent speaks \(Wire.protocolVersion))"
            case let .missingBody(path):
                "\(path): missing or unknown message kind"
            case let .invalidField(path, reason):
                "\(path): \(reason)"
            case let .replayed(reason):
                "replayed or stale sealed frame: \(reason)"
            case let .wrongSender(sealedBy, claims):
                "frame sealed by \(sealedBy) carries a message from \(claims)"
            case let .wrongRecipient(sentTo, receivedAt):
                "frame sealed for \(sentTo) arrived at \(receivedAt)"
            }
        }
    }
}
