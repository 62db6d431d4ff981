import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// One real `ordinal agent` process on loopback, with its log in a temporary directory.
final class AgentProcess: @unchecked Sendable {
    let name: String
    let host: String
    let peerPort: Int
    let apiPort: Int
    let directory: URL
    private(set) var process: Process?
    private var arguments: [String] = []

    init(name: String, host: String, peerPort: Int, apiPort: Int, directory: URL) {
        self.name = name
        self.host = host
        self.peerPort = peerPort
        self.apiPort = apiPort
        self.directory = directory
    }

    var peerAddress: String { "\(host):\(peerPort)" }
    var apiURL: String { "http://\(host):\(apiPort)" }
    /// UDP and TCP, 5 above the peer port: suites space their base ports by 10.
    var dnsPort: Int { peerPort + 5 }
    var dnsAddress: String { "\(host):\(dnsPort)" }
    var logFile: URL { directory.appendingPathComponent("\(name).log") }

    /// The `ordinal` binary next to the test bundle, or `ORDINAL_BINARY`.
    static var binary: URL {
        if let override = ProcessInfo.processInfo.environment["ORDINAL_BINARY"] {
            return URL(fileURLWithPath: override)
        }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("ordinal")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: "ordinal")
    }

    func start(join: [AgentProcess] = [], extra: [String] = []) throws {
        arguments = [
            "agent", "--name", name, "--bind", peerAddress, "--api", "\(host):\(apiPort)", "--dns", dnsAddress,
            "--data-dir", directory.appendingPathComponent("\(name)-data").path,
        ] + (join.isEmpty ? [] : ["--join", join.map(\.peerAddress).joined(separator: ",")]) + extra
        try launch()
    }

    /// Starts the same agent again, with the same flags and data directory, and `extra`
    /// flags for this run only.
    func restart(adding extra: [String] = []) throws {
        let flags = arguments
        defer { arguments = flags }
        arguments += extra
        try launch()
    }

    /// Executables the tests' images name (`nginx` in the seed manifest), as stubs that hold
    /// their pod identity until stopped; they are on the agent's `PATH`, so the runtime finds
    /// them as it would a real installation.
    private func installImageStubs() throws -> URL {
        let bin = directory.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let nginx = bin.appendingPathComponent("nginx")
        if !FileManager.default.fileExists(atPath: nginx.path) {
            try "#!/bin/sh\necho \"nginx stub for $POD_NAME\"\nexec sleep 600\n".write(to: nginx, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: nginx.path)
        }
        return bin
    }

    private func launch() throws {
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = try installImageStubs().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        let log = try FileHandle(forWritingTo: logFile)
        log.seekToEndOfFile()
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
    }

    func kill9() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func terminate() {
        guard let process, process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill9() }
    }

    var isRunning: Bool { process?.isRunning ?? false }

    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// `name -> state` as this agent sees the cluster, or nil if it does not answer.
    func memberStates() async -> [String: String]? {
        guard let url = URL(string: "\(apiURL)/ordinal/v1/members") else { return nil }
        var request = URLRequest(url: url)
        request.timeoutInterval = 1
        guard let (data, _) = try? await URLSession.shared.data(for: request),
              let list = try? JSONDecoder().decode(Members.self, from: data) else { return nil }
        return Dictionary(uniqueKeysWithValues: list.members.map { ($0.name, $0.state) })
    }

    private struct Members: Decodable {
        struct Entry: Decodable { let name: String; let state: String }
        let members: [Entry]
    }
}

/// Polls `condition` every 100 ms until it holds or `limit` passes.
/// - Returns: the seconds it took, or nil on timeout.
func eventually(within limit: Duration, _ condition: () async -> Bool) async -> Double? {
    let start = ContinuousClock.now
    while ContinuousClock.now - start < limit {
        if await condition() {
            let elapsed = ContinuousClock.now - start
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return nil
}

/// A fresh temporary directory for one test's agents.
func makeTestDirectory(_ label: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ordinal-\(label)-\(getpid())-\(UInt32.random(in: 0 ... .max))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
