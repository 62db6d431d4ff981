import Foundation

/// Runs a system tool (`ip`, `btrfs`, `mount`) to completion and returns what it printed,
/// or why it failed in the tool's own words. Blocking: callers run it off the node loop.
enum SystemCommand {
    struct Failure: Error, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }

    /// The first of `candidates` that is executable, for tools Debian puts in /sbin or /usr/sbin.
    static func tool(_ candidates: String...) -> String {
        candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) -> Result<String, Failure> {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return .failure(Failure(reason: "cannot run \(executable): \(error)"))
        }
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let name = URL(fileURLWithPath: executable).lastPathComponent
            return .failure(Failure(reason: "\(name) \(arguments.joined(separator: " ")): \(said.trimmingCharacters(in: .whitespacesAndNewlines))"))
        }
        return .success(printed)
    }
}
