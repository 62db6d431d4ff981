import Basics

/// A keyring operation carried to every agent over the peer transport (serf's
/// `_serf_install-key` queries): the agent an operator asked sends the request to each
/// member, and each answers with its keys after applying it. Only key holders can send
/// one, since it travels sealed like every frame. The shell handles these; no core decision
/// depends on them.
package enum KeyringMessage: Sendable, Hashable {
    case request(from: NodeID, to: NodeID, id: UInt64, operation: KeyringOperation)
    /// The answering agent's keys after the operation, primary first, as SHA-256 digests
    /// (a key itself travels only in an install), or why it refused.
    case response(from: NodeID, to: NodeID, id: UInt64, keyDigests: [[UInt8]], error: String?)

    package var from: NodeID {
        switch self {
        case .request(let from, _, _, _), .response(let from, _, _, _, _): from
        }
    }

    package var to: NodeID {
        switch self {
        case .request(_, let to, _, _), .response(_, let to, _, _, _): to
        }
    }
}
