import Foundation
import Testing

/// What one run of the `ordinal` CLI printed and how it exited.
struct CLIRun {
    let status: Int32
    let output: String
    let errors: String
}

/// Runs `ordinal ARGS…` to completion (bounded by `timeout`), feeding `input` on stdin.
/// `environment` replaces variables of the test's own environment (nil removes one).
func ordinal(_ arguments: [String], input: String? = nil, environment: [String: String?] = [:], timeout: TimeInterval = 60) throws -> CLIRun {
    let process = Process()
    process.executableURL = AgentProcess.binary
    process.arguments = arguments
    if !environment.isEmpty {
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
    }
    return try runBounded(process, input: input, timeout: timeout)
}

/// Runs a prepared process to completion (terminated after `timeout`), feeding `input`.
func runBounded(_ process: Process, input: String?, timeout: TimeInterval) throws -> CLIRun {
    let output = Pipe(), errors = Pipe(), stdin = Pipe()
    process.standardOutput = output
    process.standardError = errors
    process.standardInput = stdin
    try process.run()
    if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
    try stdin.fileHandleForWriting.close()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
    if process.isRunning { process.terminate() }
    process.waitUntilExit()
    return CLIRun(
        status: process.terminationStatus,
        output: String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
        errors: String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    )
}

/// The repository's root, for the shared manifests beside it.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A StatefulSet manifest of `replicas` pods running `image`, or `command` when given.
func processTestSet(_ name: String, replicas: Int, parallel: Bool = false, image: String = "ordinal/pause", command: [String]? = nil) -> String {
    let run = command.map { "command: [" + $0.map { "\"\($0)\"" }.joined(separator: ", ") + "]" } ?? "image: \(image)"
    return """
    apiVersion: apps/v1
    kind: StatefulSet
    metadata:
      name: \(name)
    spec:
      serviceName: \(name)
      replicas: \(replicas)
    \(parallel ? "  podManagementPolicy: Parallel\n" : "")  selector:
        matchLabels: {app: \(name)}
      template:
        metadata:
          labels: {app: \(name)}
        spec:
          containers:
          - name: main
            \(run)
    """
}

/// A CA, one certificate for the agents' addresses (and `localhost`) and a token, made by
/// `scripts/api-certs` in `directory/credentials`.
func apiCredentials(in directory: URL, hosts: [String]) throws -> URL {
    let credentials = directory.appendingPathComponent("credentials")
    let process = Process()
    process.executableURL = repositoryRoot.appendingPathComponent("scripts/api-certs")
    process.arguments = [credentials.path] + hosts + ["localhost"]
    let run = try runBounded(process, input: nil, timeout: 30)
    #expect(run.status == 0, "\(run.errors)")
    return credentials
}
