package import ClusterState
import FoundationEssentials

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
