import Foundation
import Subprocess

/// Runs a system tool (`ip`, `btrfs`, `mount`) through ``Subprocess/Subprocess``: in a
/// process group of its own, with only its three standard descriptors, and (run to
/// completion) with its output bounded and its time limited. Blocking: callers run it off
/// the node loop.
enum SystemCommand {
    struct Failure: Error, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }

    /// The first of `candidates` that is executable, for tools Debian puts in /sbin or /usr/sbin.
    static func tool(_ candidates: String...) -> String {
        candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    /// A started tool whose stdout streams (`btrfs send`): read `output` to its end, then
    /// `group.waitAndReap()`; `group.stop()` ends it early.
    struct Running {
        let group: ProcessGroup
        let output: FileHandle
        let errors: FileHandle
    }

    /// Starts a tool with stdin from /dev/null and its stdout and stderr in pipes.
    static func start(_ executable: String, _ arguments: [String]) throws -> Running {
        let child = try Subprocess.spawn(Subprocess.Options(
            executable: executable, arguments: [executable] + arguments, environment: Subprocess.inheritedEnvironment,
            stdout: .pipe, stderr: .pipe
        ))
        return Running(
            group: child.group,
            output: FileHandle(fileDescriptor: child.stdout!, closeOnDealloc: true),
            errors: FileHandle(fileDescriptor: child.stderr!, closeOnDealloc: true)
        )
    }

    /// Runs a tool to completion: what it printed, or why it failed in its own words.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) -> Result<String, Failure> {
        let name = URL(fileURLWithPath: executable).lastPathComponent
        switch Subprocess.run(executable, arguments) {
        case .failure(let failure):
            return .failure(Failure(reason: "\(name) \(arguments.joined(separator: " ")): \(failure)"))
        case .success(let output) where !output.termination.succeeded:
            let said = String(decoding: output.stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return .failure(Failure(reason: "\(name) \(arguments.joined(separator: " ")): \(said.isEmpty ? output.termination.description : said)"))
        case .success(let output):
            return .success(String(decoding: output.stdout, as: UTF8.self))
        }
    }
}
