package import ClusterState
import FoundationEssentials

/// The bytes of a cluster-state Raft entry: a tag byte (`0x10`, distinct from the
/// key-value commands' tags) followed by the ``ClusterProposal`` as JSON. JSON keeps the
/// log readable with `sqlite3` and matches the objects' API form.
package enum ClusterEntry {
    static let tag: UInt8 = 0x10

    package static func encode(_ proposal: ClusterProposal) -> [UInt8] {
        // Encoding our own Codable value graph cannot fail.
        [tag] + ((try? ObjectJSON.encoder.encode(proposal)).map(Array.init) ?? [])
    }

    /// The proposal in `data`, or nil when `data` is not a cluster entry or does not decode
    /// (every replica then skips it the same way).
    package static func decode(_ data: [UInt8]) -> ClusterProposal? {
        guard data.first == tag else { return nil }
        return try? ObjectJSON.decoder.decode(ClusterProposal.self, from: Data(data.dropFirst()))
    }
}

/// The one JSON form of objects on disk: sorted keys, so equal objects are equal bytes.
package enum ObjectJSON {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static var decoder: JSONDecoder { JSONDecoder() }

    package static func text(_ object: ClusterObject) -> String {
        (try? encoder.encode(object)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
    }

    package static func object(_ text: String) -> ClusterObject? {
        try? decoder.decode(ClusterObject.self, from: Data(text.utf8))
    }
}
