import ArgumentParser
import Foundation

/// `ordinal volume recover`: the recovery snapshots on this machine. When a replicated
/// volume's primary fails over, the old primary may hold writes no copy received; when its
/// agent comes back, it keeps that volume read-only under `<data-dir>/pool/recovery/` and
/// records a `RecoverySnapshot` event, never merging it into the new primary's data.
struct VolumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "volume",
        abstract: "Work with replicated volumes' data on this machine.",
        subcommands: [Recover.self]
    )

    struct Recover: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List or delete the recovery snapshots an old primary kept on this machine.",
            discussion: """
                Each snapshot is named <volume>@e<epoch>-<unix time>: the volume as this agent
                last held it as primary in that epoch, read-only. To look at it, read the files
                under the path printed (for example diff them against the volume of the pod now
                running: `ordinal describe pv <volume>` names its primary). To keep data from it,
                copy the files into the running pod's volume yourself: Ordinal never merges. When
                done, delete it with --delete NAME (or `btrfs subvolume delete PATH`).
                """
        )

        @Option(help: "The agent's data directory.") var dataDir: String = "/var/lib/ordinal"
        @Option(help: "Delete this recovery snapshot.") var delete: String?

        func run() throws {
            let directory = dataDir + "/pool/recovery"
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
            if let delete {
                guard names.contains(delete), !delete.contains("/") else { throw CLIError("no recovery snapshot \(delete) in \(directory)") }
                try run("/usr/bin/btrfs", ["subvolume", "delete", "\(directory)/\(delete)"])
                print("deleted \(delete)")
                return
            }
            var table = Table(headers: ["NAME", "VOLUME", "EPOCH", "KEPT", "SIZE", "PATH"])
            for name in names {
                guard let at = name.lastIndex(of: "@") else { continue }
                let suffix = name[name.index(after: at)...].dropFirst()
                let parts = suffix.split(separator: "-")
                let kept = parts.last.flatMap { Double($0) }.map { ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: $0)) } ?? "?"
                table.rows.append([name, String(name[..<at]), parts.first.map(String.init) ?? "?", kept, size(of: "\(directory)/\(name)"), "\(directory)/\(name)"])
            }
            print(names.isEmpty ? "no recovery snapshots in \(directory)" : table.render())
        }

        /// Bytes under `path`, as `du` counts them.
        private func size(of path: String) -> String {
            guard let output = try? capture("/usr/bin/du", ["-sb", path]), let bytes = output.split(separator: "\t").first else { return "?" }
            return String(bytes)
        }

        private func run(_ tool: String, _ arguments: [String]) throws {
            _ = try capture(tool, arguments)
        }

        private func capture(_ tool: String, _ arguments: [String]) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = arguments
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw CLIError("\(tool) \(arguments.joined(separator: " ")) failed") }
            return String(decoding: data, as: UTF8.self)
        }
    }
}
