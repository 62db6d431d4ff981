import FoundationEssentials
import Foundation

/// The cluster a shell's `ordinal` commands talk to when neither a flag nor the environment
/// says: a context file that `scripts/cluster up` writes (and `down` removes), like
/// kubectl's kubeconfig. Lines of `key=value`: `agent` (addresses as `--agent` takes them),
/// `token-file` (a file holding the API token) and `ca`; `#` starts a comment.
///
/// It is read from `$ORDINAL_CONTEXT`, else `$XDG_CONFIG_HOME/ordinal/context`, else
/// `~/.config/ordinal/context`. A missing file is no context; a file that cannot be read
/// or holds an unknown key is an error naming it.
struct CLIContext: Equatable {
    var agent: String?
    var tokenFile: String?
    var ca: String?

    static var path: String {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["ORDINAL_CONTEXT"], !explicit.isEmpty { return explicit }
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        return base + "/ordinal/context"
    }

    /// The context at ``path``; empty when there is no file.
    static func load() throws -> CLIContext {
        let path = Self.path
        guard FileManager.default.fileExists(atPath: path) else { return CLIContext() }
        guard let data = FileManager.default.contents(atPath: path), data.count <= 65_536 else {
            throw CLIError("context file \(path): cannot be read (or larger than 64 KiB)")
        }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    static func parse(_ text: String, path: String) throws -> CLIContext {
        var context = CLIContext()
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw CLIError("context file \(path) line \(number + 1): expected key=value")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = String(line[line.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
            switch key {
            case "agent": context.agent = value
            case "token-file": context.tokenFile = value
            case "ca": context.ca = value
            default: throw CLIError("context file \(path) line \(number + 1): unknown key \(key) (agent, token-file, ca)")
            }
        }
        return context
    }

    /// The token in ``tokenFile``, without its line end.
    func token() throws -> String? {
        guard let tokenFile else { return nil }
        guard let data = FileManager.default.contents(atPath: tokenFile) else {
            throw CLIError("context file \(Self.path): token-file \(tokenFile) cannot be read")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
