import Foundation

/// Where a pod's container logs live, and how they are read back for `ordinal logs`.
///
/// The pod's keeper appends a container's stdout and stderr, interleaved as written, to
/// `<directory>/<container>.log`, and rotates that file to `<container>.log.1` once a write
/// would take it past ``rotationLimit`` (a single larger write goes to an empty file), keeping
/// one rotated file (a container can use at most twice the limit). The files outlive restarts
/// of the container, like `kubectl logs --previous` needs.
package struct PodLogFiles: Sendable, Hashable {
    /// A pod's log directory, ``PodLaunch/logDirectory``.
    package var directory: String

    package static let rotationLimit = 10 * 1024 * 1024

    /// Logs carry whatever the workloads print (secrets too): readable by the agent's user
    /// and its group, never by other users — the kubelet's `/var/log/pods` files are 0640.
    package static let fileMode: UInt32 = 0o640
    package static let directoryMode: UInt32 = 0o750

    package init(directory: String) {
        self.directory = directory
    }

    /// The file being written.
    package func current(_ container: String) -> String { "\(directory)/\(container).log" }

    /// The file rotated out last.
    package func rotated(_ container: String) -> String { "\(directory)/\(container).log.1" }

    /// The file a CRI runtime writes for a container pod, in the CRI log format.
    package func criLog(_ container: String) -> String { "\(directory)/\(container).cri.log" }

    /// The container's log: the current file, or with `tailLines` its last lines, reaching back
    /// into the rotated file when the current one has fewer.
    /// Bytes that are not UTF-8 are replaced, since a container may write anything.
    /// - Throws: When the container has written no log (its file does not exist).
    package func read(container: String, tailLines: Int? = nil) throws -> String {
        let text: String
        if let cri = try? Self.load(criLog(container)) {
            text = CRILogFormat.decode(cri)
        } else {
            text = try Self.load(current(container))
        }
        guard let tailLines else { return text }
        guard tailLines > 0 else { return "" }
        var lines = Self.lines(text)
        if lines.count < tailLines, let older = try? Self.load(rotated(container)) {
            lines = Self.lines(older) + lines
        }
        return lines.suffix(tailLines).joined()
    }

    private static func load(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    }

    /// Lines with their terminators kept, so joining them gives the text back.
    private static func lines(_ text: String) -> [Substring] {
        var lines: [Substring] = []
        var start = text.startIndex
        while let newline = text[start...].firstIndex(of: "\n") {
            let end = text.index(after: newline)
            lines.append(text[start ..< end])
            start = end
        }
        if start < text.endIndex { lines.append(text[start...]) }
        return lines
    }
}
