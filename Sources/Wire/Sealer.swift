import Basics
import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Wire {
    /// Seals and opens frame bodies with the cluster key, or passes them through when the
    /// cluster runs without one.
    ///
    /// ChaCha20-Poly1305 (RFC 8439) with a random 96-bit nonce per frame; the body is
    /// `[nonce 12][ciphertext][tag 16]`. Random nonces are safe for far more frames than a
    /// key sees (the birthday bound is ~2^48). The fixed ``associatedData`` label binds a
    /// frame to this protocol and version, so bytes sealed under the same key for another
    /// purpose do not open here. Replays are the ``Codec``'s concern (``SealedHeader``), and
    /// several keys the ``Keyring``'s.
    ///
    /// The key is held as bytes because `SymmetricKey` is not `Sendable` in swift-crypto 3;
    /// `description` and reflection redact it so a logged sealer never leaks it.
    package struct Sealer: Sendable, CustomStringConvertible, CustomReflectable {
        package static let keyByteCount = 32
        package static let nonceByteCount = 12
        package static let tagByteCount = 16
        /// Bytes sealing adds to a body.
        package static let overheadByteCount = nonceByteCount + tagByteCount
        /// Authenticated but not transmitted; bumped with every change to what a sealed body
        /// holds (v2: the ``SealedHeader`` names the recipient), so an agent of another
        /// version refuses the frame as unopenable rather than misreading it.
        package static let associatedData: [UInt8] = Array("ordinal/v2".utf8)

        /// Internal so the ``Keyring`` can compare and list keys; never printed.
        let key: [UInt8]?

        /// A sealer that passes bodies through unchanged.
        package static let plaintext = Sealer(validatedKey: nil)

        /// - Parameter key: The 32-byte cluster key, or `nil` for plaintext.
        /// - Throws: ``KeyError/wrongLength(_:)`` when the key is not 32 bytes.
        package init(key: [UInt8]?) throws(Wire.KeyError) {
            if let key, key.count != Self.keyByteCount { throw .wrongLength(key.count) }
            self.init(validatedKey: key)
        }

        private init(validatedKey: [UInt8]?) {
            key = validatedKey
        }

        /// Whether bodies are sealed.
        package var isKeyed: Bool { key != nil }

        /// Decodes a key as given on the command line or in a key file (surrounding
        /// whitespace ignored).
        /// - Throws: ``KeyError/notBase64`` or ``KeyError/wrongLength(_:)``.
        package static func parseKey(base64: String) throws(Wire.KeyError) -> [UInt8] {
            guard let data = Data(base64Encoded: base64.trimmingWhitespace()) else { throw .notBase64 }
            guard data.count == keyByteCount else { throw .wrongLength(data.count) }
            return Array(data)
        }

        /// Seals a body, or returns it unchanged without a key.
        /// - Throws: A `CryptoKitError` only if the system cannot produce a nonce.
        package func seal(_ plaintext: [UInt8]) throws -> [UInt8] {
            guard let key else { return plaintext }
            let box = try ChaChaPoly.seal(
                plaintext, using: SymmetricKey(data: key), authenticating: Self.associatedData
            )
            return Array(box.combined)
        }

        /// Opens a body from a peer, or returns it unchanged without a key.
        /// - Throws: ``SealError`` when the body is not sealed under this key.
        package func open(_ body: [UInt8]) throws(Wire.SealError) -> [UInt8] {
            guard let key else { return body }
            guard body.count >= Self.overheadByteCount else {
                throw .tooShort(length: body.count, minimum: Self.overheadByteCount)
            }
            do {
                let box = try ChaChaPoly.SealedBox(combined: body)
                let opened = try ChaChaPoly.open(
                    box, using: SymmetricKey(data: key), authenticating: Self.associatedData
                )
                return Array(opened)
            } catch {
                throw .authenticationFailed
            }
        }

        package var description: String { isKeyed ? "Sealer(keyed)" : "Sealer(plaintext)" }

        package var customMirror: Mirror { Mirror(self, children: ["keyed": isKeyed]) }
    }
}
