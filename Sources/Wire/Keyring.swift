import Basics
import Crypto
import Synchronization

extension Wire {
    /// The cluster keys one agent holds, as serf's keyring: frames are sealed with the
    /// primary and opened with any installed key, so a new key can be installed everywhere,
    /// made primary, and the old one removed while every agent keeps understanding every
    /// other. Shared by the transport's codec (every frame) and the keyring operations.
    ///
    /// A keyring made without keys stays plaintext: a cluster cannot switch encryption on
    /// or off while it runs (every agent would have to switch at the same instant).
    package final class Keyring: Sendable {
        /// Each unopenable frame is tried against every key, so their number is bounded.
        package static let maxKeys = 16

        private let sealers: Mutex<[Sealer]>
        /// Whether frames are sealed; fixed for the keyring's life.
        package let isKeyed: Bool

        /// - Parameter keys: 32-byte keys, the primary first; empty for plaintext.
        /// - Throws: ``KeyringError`` for a key of the wrong length, a repeated key or more
        ///   than ``maxKeys``.
        package init(keys: [[UInt8]]) throws(KeyringError) {
            guard keys.count <= Self.maxKeys else { throw .tooManyKeys(limit: Self.maxKeys) }
            guard Set(keys).count == keys.count else { throw .duplicateKey }
            var sealers: [Sealer] = []
            for key in keys {
                do { sealers.append(try Sealer(key: key)) } catch { throw .badKey(error) }
            }
            self.sealers = Mutex(sealers)
            isKeyed = !keys.isEmpty
        }

        /// A keyring of one key, or plaintext.
        package convenience init(key: [UInt8]?) throws(KeyringError) {
            try self.init(keys: key.map { [$0] } ?? [])
        }

        package static let digestByteCount = 32

        /// The installed keys, the primary first.
        package var keys: [[UInt8]] {
            sealers.withLock { $0.compactMap(\.key) }
        }

        /// What identifies a key in answers and listings without revealing it: its SHA-256.
        package static func digest(of key: [UInt8]) -> [UInt8] {
            Array(SHA256.hash(data: key))
        }

        /// A key's digest as operators see it: `sha256:` and the first 8 bytes in hex.
        package static func fingerprint(digest: [UInt8]) -> String {
            "sha256:" + digest.prefix(8).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        }

        /// Seals with the primary key, or passes the body through without keys.
        package func seal(_ plaintext: [UInt8]) throws -> [UInt8] {
            guard let primary = sealers.withLock({ $0.first }) else { return plaintext }
            return try primary.seal(plaintext)
        }

        /// Opens with the first installed key that authenticates the body, or passes it
        /// through without keys.
        /// - Throws: ``SealError`` when no key opens it.
        package func open(_ body: [UInt8]) throws(Wire.SealError) -> [UInt8] {
            let sealers = sealers.withLock { $0 }
            guard !sealers.isEmpty else { return body }
            var failure = SealError.authenticationFailed
            for sealer in sealers {
                do { return try sealer.open(body) } catch { failure = error }
            }
            throw failure
        }

        /// Applies an operation; `list` changes nothing.
        /// - Throws: ``KeyringError`` when the keyring is plaintext, the key is not 32
        ///   bytes, `use` names a key that is not installed, `remove` names the primary, or
        ///   `install` would pass ``maxKeys``. The keyring is then unchanged.
        package func apply(_ operation: KeyringOperation) throws(KeyringError) {
            guard case let .some(key) = operation.key else { return }
            guard isKeyed else { throw .plaintext }
            let sealer: Sealer
            do { sealer = try Sealer(key: key) } catch { throw .badKey(error) }
            try sealers.withLock { (sealers: inout [Sealer]) throws(KeyringError) in
                let index = sealers.firstIndex { $0.key == key }
                switch operation {
                case .list:
                    return
                case .install:
                    guard index == nil else { return }
                    guard sealers.count < Self.maxKeys else { throw .tooManyKeys(limit: Self.maxKeys) }
                    sealers.append(sealer)
                case .use:
                    guard let index else { throw .notInstalled }
                    sealers.insert(sealers.remove(at: index), at: 0)
                case .remove:
                    guard let index else { return }
                    guard index != 0 else { throw .removingPrimary }
                    sealers.remove(at: index)
                }
            }
        }
    }

    /// Why a keyring refused a key or an operation.
    package enum KeyringError: Error, Equatable, CustomStringConvertible {
        case badKey(KeyError)
        case duplicateKey
        case tooManyKeys(limit: Int)
        case plaintext
        case notInstalled
        case removingPrimary

        package var description: String {
            switch self {
            case .badKey(let error): "bad key: \(error)"
            case .duplicateKey: "a key is listed twice"
            case .tooManyKeys(let limit): "at most \(limit) keys may be installed"
            case .plaintext: "this agent runs without a cluster key (no --encrypt); its keyring cannot change while it runs"
            case .notInstalled: "the key is not installed; install it on every agent first"
            case .removingPrimary: "the key is the primary; make another key primary (use) before removing it"
            }
        }
    }
}
