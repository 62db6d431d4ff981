import ClusterState
import Foundation
import Synchronization
import Testing
@testable import Runtime

/// Runs real pods under real keepers through ``PodSupervisor``, as the agent does, and collects
/// their reports.
final class SupervisorHarness: Sendable {
    private let handle: Mutex<PodSupervisor?>
    let directory: TemporaryDirectory
    let launch: PodLaunch
    private let collected = Collected()
    private let reader: Mutex<Task<Void, Never>?>

    /// The `ordinal` binary next to the test bundle, or `ORDINAL_BINARY` (as ProcessTests finds it).
    static let binary: String? = {
        if let override = ProcessInfo.processInfo.environment["ORDINAL_BINARY"] { return override }
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("ordinal").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }()

    /// `ordinal-keeper`, beside the `ordinal` binary.
    static let keeper: String? = binary.map { URL(fileURLWithPath: $0).deletingLastPathComponent().appendingPathComponent("ordinal-keeper").path }
        .flatMap { FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil }

    static let skipMessage: Comment = "the ordinal and ordinal-keeper binaries were not found next to the tests; build them or set ORDINAL_BINARY"

    /// Launches a pod whose volume `data` is a temporary directory, logs beside it.
    init(_ containers: [Container], podIP: String = "127.0.0.1", grace: Int64 = 5, restartPolicy: String = "Always",
         searchPath: String = "/usr/bin:/bin", lease: Duration = .seconds(60)) throws {
        let binary = try #require(Self.binary)
        let keeper = try #require(Self.keeper)
        directory = try TemporaryDirectory()
        launch = PodLaunch(
            namespace: "default", name: "web-0", uid: "uid-1", ordinal: 0, podIP: podIP, nodeName: "a2",
            fencingEpoch: 1, containers: containers, volumePaths: ["data": try directory.subdirectory("data")],
            logDirectory: directory.path + "/pod/logs", terminationGracePeriodSeconds: grace,
            restartPolicy: restartPolicy, helperExecutable: binary, keeperExecutable: keeper, searchPath: searchPath,
            leaseDeadline: MonotonicDeadline.now().adding(lease))
        let process = try PodSupervisor.launch(launch, keeper: keeper, socket: directory.path + "/keeper")
        handle = Mutex(process)
        reader = Mutex(nil)
        follow(process)
    }

    /// Stops the pod (its keeper would otherwise run it until its lease passes).
    deinit {
        handle.withLock { $0?.stop() }
        reader.withLock { $0?.cancel() }
    }

    private func follow(_ process: PodSupervisor) {
        let stream = process.reports
        reader.withLock { reader in
            reader = Task { [collected] in
                for await report in stream {
                    if Task.isCancelled { return }
                    collected.state.withLock { $0.reports.append(report) }
                }
                if !Task.isCancelled { collected.state.withLock { $0.finished = true } }
            }
        }
    }

    var socket: String { directory.path + "/keeper" }

    /// The agent's handle; nil after ``dropHandle()``.
    var process: PodSupervisor? { handle.withLock { $0 } }

    /// Releases the handle, as the agent's death would: the pod stays with its keeper.
    func dropHandle() {
        handle.withLock { $0 = nil }
    }

    /// Connects a new handle to the keeper, as a restarted agent does, and follows its reports
    /// from now on (the earlier ones are dropped).
    func adopt() throws -> PodSupervisor {
        reader.withLock { $0?.cancel() }
        collected.state.withLock { $0 = ([], false) }
        let process = try #require(try PodSupervisor.adopt(socket: socket))
        handle.withLock { $0 = process }
        follow(process)
        return process
    }

    var dataPath: String { launch.volumePaths["data"]! }
    var reports: [PodRuntimeReport] { collected.state.withLock { $0.reports } }
    var finished: Bool { collected.state.withLock { $0.finished } }

    /// Waits for a report that satisfies `condition`, failing the test after `timeout`.
    @discardableResult
    func waitFor(_ what: String, timeout: Duration = .seconds(5),
                 _ condition: (PodRuntimeReport) -> Bool) async throws -> PodRuntimeReport {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if let match = reports.last(where: condition) { return match }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("timed out waiting for \(what); reports: \(reports)")
        throw CancellationError()
    }

    /// Waits for the supervisor to exit and be reaped; returns its last report's exit.
    func waitForExit(timeout: Duration = .seconds(5)) async throws -> SupervisorExit? {
        try await eventually("the supervisor to exit", timeout: timeout) { self.finished }
        return reports.last?.exit
    }

    /// Reads a pid a container wrote into the data volume.
    func pid(in file: String) async throws -> Int32 {
        var pid: Int32?
        try await eventually("\(file) to be written") {
            pid = (try? String(contentsOfFile: "\(self.dataPath)/\(file)", encoding: .utf8))
                .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            return pid != nil
        }
        return pid!
    }
}

private final class Collected: Sendable {
    let state = Mutex<(reports: [PodRuntimeReport], finished: Bool)>(([], false))
}

/// Polls `condition` every 10 ms until it holds, failing the test after `timeout`.
func eventually(_ what: String, timeout: Duration = .seconds(5), _ condition: () -> Bool) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while !condition() {
        guard clock.now < deadline else {
            Issue.record("timed out waiting for \(what)")
            throw CancellationError()
        }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// Gone, or a zombie nobody has reaped yet: either way it holds nothing.
func isDead(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return true }
    return stat[stat.index(close, offsetBy: 2)] == "Z"
}

extension PodRuntimeReport {
    func container(_ name: String) -> Pod.ContainerStatus? { containers.first { $0.name == name } }
    func isRunning(_ name: String) -> Bool { container(name)?.state?.running != nil }
}

extension Container {
    /// `sh -c script` with the data volume mounted. The script goes through `$(VAR)` expansion
    /// first, so the shell's `$$` is written `$$$$`.
    static func shell(_ name: String = "main", _ script: String, env: [(String, String)] = []) -> Container {
        Container.fixture(name: name, command: ["sh", "-c", script], env: env, mounts: [("data", "/data")])
    }
}
