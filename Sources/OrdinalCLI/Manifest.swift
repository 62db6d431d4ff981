import ClusterState
import FoundationEssentials
import Yams

/// Kubernetes YAML (or JSON) manifests: many documents per file, files from a directory
/// (`.yaml`, `.yml`, `.json`, sorted by name), or standard input.
enum Manifest {
    /// One document: the object, or why it cannot be used (with its kind and name when
    /// they could be read), so the other documents still apply.
    struct Document {
        var source: String
        var result: Result<ClusterObject, CLIError>
    }

    private struct Header: Decodable {
        struct Meta: Decodable { var name: String? }
        var apiVersion: String?
        var kind: String?
        var metadata: Meta?
    }

    static func load(path: String) throws -> [Document] {
        if path == "-" {
            var text = ""
            while let line = readLine(strippingNewline: false) { text += line }
            return documents(in: text, source: "STDIN")
        }
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CLIError("error: the path \"\(path)\" does not exist")
        }
        let files: [String]
        if isDirectory {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            files = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") || $0.hasSuffix(".json") }.sorted().map { path + "/" + $0 }
        } else {
            files = [path]
        }
        return try files.flatMap { file in
            guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("error: cannot read \(file)") }
            return documents(in: String(decoding: data, as: UTF8.self), source: file)
        }
    }

    static func documents(in text: String, source: String) -> [Document] {
        var nodes: [Yams.Node] = []
        do {
            let parser = try Parser(yaml: text)
            while let node = try parser.nextRoot() { nodes.append(node) }
        } catch {
            return [Document(source: source, result: .failure(CLIError("error: error parsing \(source): \(error)")))]
        }
        return nodes.compactMap { node in
            if case .scalar(let scalar) = node, scalar.string.isEmpty || scalar.string == "null" || scalar.string == "~" { return nil }
            return Document(source: source, result: decode(node, source: source))
        }
    }

    private static func decode(_ node: Yams.Node, source: String) -> Result<ClusterObject, CLIError> {
        let decoder = YAMLDecoder()
        guard let header = try? decoder.decode(Header.self, from: node), let kind = header.kind, let version = header.apiVersion else {
            return .failure(CLIError("error: error validating \"\(source)\": a document has no apiVersion or kind"))
        }
        let name = header.metadata?.name ?? ""
        guard let known = ObjectKind(rawValue: kind), known.apiVersion == version else {
            return .failure(CLIError("error: resource mapping not found for name: \"\(name)\" from \"\(source)\": no matches for kind \"\(kind)\" in version \"\(version)\""))
        }
        do {
            return .success(try decoder.decode(ClusterObject.self, from: node))
        } catch {
            return .failure(CLIError("error: error decoding \(known.rawValue) \"\(name)\" from \"\(source)\": \(error)"))
        }
    }
}
