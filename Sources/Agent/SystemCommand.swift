import Foundation
import Glibc

/// Runs a system tool (`ip`, `btrfs`, `mount`) to completion and returns what it printed,
/// or why it failed in the tool's own words. Blocking: callers run it off the node loop.
/// Its pipes are close-on-exec (``ClosingPipe``).
enum SystemCommand {
    struct Failure: Error, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }

    /// The first of `candidates` that is executable, for tools Debian puts in /sbin or /usr/sbin.
    static func tool(_ candidates: String...) -> String {
        candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    /// Ends a tool the agent started, and waits for it. SIGKILL, not SIGTERM: a child of
    /// the agent inherits its ignored SIGTERM (the agent handles that signal itself), so a
    /// `btrfs send` asked to terminate kept running and its reader waited forever.
    static func kill(_ process: Process) {
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// A started tool: its stdout and stderr to read (the write ends are closed here).
    struct Running {
        let process: Process
        let output: FileHandle
        let errors: FileHandle
    }

    /// Starts a tool with stdin from /dev/null and its output in close-on-exec pipes.
    static func start(_ executable: String, _ arguments: [String]) throws -> Running {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = try ClosingPipe(), errors = try ClosingPipe()
        process.standardOutput = output.write
        process.standardError = errors.write
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? output.write.close()
        try? errors.write.close()
        return Running(process: process, output: output.read, errors: errors.read)
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) -> Result<String, Failure> {
        let running: Running
        do {
            running = try start(executable, arguments)
        } catch {
            return .failure(Failure(reason: "cannot run \(executable): \(error)"))
        }
        let (process, output, errors) = (running.process, running.output, running.errors)
        // stderr is read after stdout: the tools run here say little there.
        let printed = String(decoding: output.readDataToEndOfFile(), as: UTF8.self)
        let said = String(decoding: errors.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let name = URL(fileURLWithPath: executable).lastPathComponent
            return .failure(Failure(reason: "\(name) \(arguments.joined(separator: " ")): \(said.trimmingCharacters(in: .whitespacesAndNewlines))"))
        }
        return .success(printed)
    }
}
