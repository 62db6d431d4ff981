@testable import API
import ClusterState
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A PATCH as the API serves it: the first byte picks the format (JSON patch, merge patch,
/// strategic merge patch, as ``API/KubePatch`` reads the Content-Type), the rest is the
/// stored document and the patch body, separated by a NUL byte. A document that decodes
/// as an object is patched in its encoded form and the result decoded and validated as an
/// update, as ``API/KubeHandlers`` does; any other JSON document is patched as it is, so the
/// patch code also sees shapes no stored object has. Traps only if a step traps.
enum PatchTarget {
    static let formats: [KubePatch.Format] = [.json, .merge, .strategicMerge]

    static func run(_ data: [UInt8]) {
        guard let selector = data.first, let split = data.dropFirst().firstIndex(of: 0) else { return }
        let format = formats[Int(selector) % formats.count]
        guard let document = try? JSONDecoder().decode(JSONValue.self, from: Data(data[1..<split])),
              let body = try? JSONDecoder().decode(JSONValue.self, from: Data(data[(split + 1)...])) else { return }
        let patch = KubePatch(format: format, body: body)
        guard let current = try? JSONDecoder().decode(ClusterObject.self, from: Data(data[1..<split])) else {
            _ = try? patch.applied(to: document)
            return
        }
        guard let encoded = try? API.jsonEncoder.encode(current),
              let base = try? JSONDecoder().decode(JSONValue.self, from: encoded),
              let patched = try? patch.applied(to: base),
              let merged = try? API.jsonEncoder.encode(patched),
              let object = try? JSONDecoder().decode(ClusterObject.self, from: merged) else { return }
        _ = object.validationErrors() + object.validateUpdate(from: current)
    }
}
