import Foundation
import Runtime
import PeerMessages
import Wire

/// The agent's cluster keys on disk (`<data-dir>/keyring`, mode 0600), as Consul's keyring
/// file: a rotation survives a restart, and once the file exists it wins over `--encrypt`
/// (Consul ignores `-encrypt` then too) — an agent restarted with its original flags keeps
/// the keys the cluster rotated to and never takes a removed key back. One that missed a
/// rotation is restarted with its file moved away and `--encrypt NEW`.
package struct KeyringFile: Sendable {
    package let path: String

    package init(dataDirectory: String) {
        path = (dataDirectory.hasSuffix("/") ? dataDirectory : dataDirectory + "/") + "keyring"
    }

    private struct Contents: Codable {
        /// Base64 keys, the primary first.
        var keys: [String]
    }

    /// The keys to start with: the file's, plus `flagKey` (as a secondary) when the file
    /// lacks it; just `flagKey` without a file; none for a plaintext agent.
    /// - Throws: ``AgentStartError`` when the file exists but cannot be read as a keyring.
    package func keys(orFlag flagKey: [UInt8]?) throws -> [[UInt8]] {
        guard FileManager.default.fileExists(atPath: path) else { return flagKey.map { [$0] } ?? [] }
        var keys: [[UInt8]]
        do {
            let contents = try JSONDecoder().decode(Contents.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            keys = try contents.keys.map { try Wire.Sealer.parseKey(base64: $0) }
        } catch {
            throw AgentStartError(reason: "keyring file \(path): \(error); move it away to start from --encrypt alone")
        }
        return keys
    }

    /// Writes the keys (primary first) durably and privately: a 0600 temporary file, fsync,
    /// rename, as ``PrivateFile/write(_:to:)`` does.
    /// - Throws: the file system's error; the previous file is then intact.
    package func save(_ keys: [[UInt8]]) throws {
        let data = try JSONEncoder().encode(Contents(keys: keys.map { Data($0).base64EncodedString() }))
        try PrivateFile.write(Array(data), to: path)
    }
}
