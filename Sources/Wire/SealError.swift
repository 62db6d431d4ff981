extension Wire {
    /// A frame body that does not open under the receiver's ``Sealer``. Descriptions never
    /// include the body or the key.
    package enum SealError: Error, Sendable, Hashable, CustomStringConvertible {
        /// Shorter than a nonce plus a tag, so it cannot be a sealed frame (typically a
        /// plaintext peer talking to a keyed cluster).
        case tooShort(length: Int, minimum: Int)
        /// The tag does not verify: a different key, a tampered or truncated frame, or a
        /// plaintext peer.
        case authenticationFailed

        package var description: String {
            switch self {
            case let .tooShort(length, minimum):
                "sealed frame of \(length) bytes is shorter than the minimum \(minimum) (wrong or missing cluster key?)"
            case .authenticationFailed:
                "sealed frame failed authentication (wrong or missing cluster key, or corrupted)"
            }
        }
    }

    /// A cluster key that cannot be used. Descriptions never include the key.
    package enum KeyError: Error, Sendable, Hashable, CustomStringConvertible {
        case notBase64
        case wrongLength(Int)

        package var description: String {
            switch self {
            case .notBase64:
                "cluster key is not base64"
            case let .wrongLength(count):
                "cluster key must be \(Sealer.keyByteCount) bytes, got \(count)"
            }
        }
    }
}
