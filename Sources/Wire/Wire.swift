/// The peer wire protocol: how one agent's messages reach another over a TCP connection.
///
/// A connection carries a stream of frames:
///
/// ```
/// [4-byte big-endian length N][N bytes of body]
/// ```
///
/// Without a cluster key the body is the protobuf encoding of a `PeerFrame`
/// (``Payload``; the agent's kinds are in `Sources/PeerMessages/Proto/peer.proto`). With a key it is that encoding sealed with
/// ChaCha20-Poly1305 (RFC 8439) from swift-crypto:
///
/// ```
/// [nonce 12][ciphertext][tag 16]
/// ```
///
/// authenticated with the associated data ``Sealer/associatedData`` so that a frame of
/// another protocol sharing the key does not open.
///
/// Why this shape:
/// - A length prefix lets ``FrameDecoder`` refuse an oversized frame from its header alone
///   (``defaultMaxFrameBytes``), before buffering it, and the caller then closes the
///   connection. A zero length is never valid because every body has at least a version.
/// - Protobuf gives field-numbered evolution: `PeerFrame.version` guards incompatible
///   changes, and each service registers its message kinds as field numbers
///   (``MessageKinds``, ``Payload``), so the wire knows no service's types. A body the
///   receiver does not understand is a ``DecodeError``, never a guess.
/// - Sealing is optional and all-or-nothing per cluster, like serf's gossip encryption
///   (`-encrypt`): a stranger without the key cannot make a frame that opens, so its
///   connection is dropped at the first frame. Unlike TLS there is no handshake and no
///   forward secrecy; instead every sealed body starts with a ``SealedHeader`` naming the
///   sender, the recipient's address and a stamp, so a frame replayed to the agent it was
///   sent to (``ReplayGuard``) or to any other (the recipient) is refused.
/// - Decoding untrusted bytes uses typed throws and never traps (conventions §8.5 rule 7);
///   ``Codec/decodeBody(_:receivedAt:)`` checks the sealing; the kinds' decoders validate every field the cores rely on.
package enum Wire {
    /// The `PeerFrame.version` this build speaks and accepts.
    package static let protocolVersion: UInt32 = 1

    /// Default bound on a frame body: 4 MiB, far above a push-pull of a few thousand
    /// members, far below what would hurt an agent that buffers it.
    package static let defaultMaxFrameBytes = 4 << 20

    /// Bytes of the big-endian length prefix.
    package static let lengthPrefixBytes = 4

    /// The lowest field number a message kind may use: those below belong to the frame.
    package static let firstKind: UInt32 = 10
    /// Protobuf's largest field number.
    package static let lastKind: UInt32 = (1 << 29) - 1
}
