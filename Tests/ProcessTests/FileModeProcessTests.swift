import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Files private by construction (issue 26): while an agent starts with a cluster key, runs a
/// pod that writes its log, and `ordinal kubeconfig` and `ordinal snapshot save` write their
/// files, a watcher `lstat`s everything every few milliseconds. No file holding a key, a
/// token or the cluster's objects is ever readable by group or others — not even for the
/// moment between creating and a chmod — the data directory is always 0700, and pod logs
/// are never readable by others.
@Suite(.serialized, .timeLimit(.minutes(3))) struct FileModeProcessTests {
    @Test func noPrivateFileIsEverReadableByOthers() async throws {
        let key = Data((0..<32).map { _ in UInt8.random(in: 0 ... .max) }).base64EncodedString()
        let directory = try makeTestDirectory("file-mode")
        defer { try? FileManager.default.removeItem(at: directory) }
        let agent = AgentProcess(name: "m1", host: "127.0.88.1", peerPort: 18300, apiPort: 18380, directory: directory)
        defer { agent.terminate() }
        let data = directory.appendingPathComponent("m1-data").path
        let outputs = directory.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: outputs, withIntermediateDirectories: true)
        let watcher = ModeWatcher(watching: [data, outputs.path], for: .seconds(150))
        defer { watcher.finish() }

        try agent.start(extra: ["--bootstrap-expect", "1", "--encrypt", key])
        _ = try await require("a leader", within: .seconds(20)) { await agreedLeader([agent]) != nil }
        let set = processTestSet("modes", replicas: 1, command: ["sh", "-c", "echo secret-output; exec sleep 600"])
        #expect(try ordinal(["apply", "-f", "-", "--agent", agent.apiURL], input: set).status == 0)
        _ = try await require("the pod's log", within: .seconds(60)) {
            (try? ordinal(["logs", "modes-0", "--agent", agent.apiURL], timeout: 10))?.output.contains("secret-output") == true
        }
        let kubeconfig = try ordinal(["kubeconfig", "--agent", agent.apiURL, "-o", outputs.appendingPathComponent("kubeconfig").path])
        #expect(kubeconfig.status == 0, "\(kubeconfig.errors)")
        let snapshot = try ordinal(["snapshot", "save", outputs.appendingPathComponent("backup.json").path, "--agent", agent.apiURL])
        #expect(snapshot.status == 0, "\(snapshot.errors)")
        let seen = watcher.finish()
        #expect(seen[data] == 0o700, "data directory: \(seen[data].map { String($0, radix: 8) } ?? "never seen")")
        for name in ["ordinal.db", "ordinal.db-wal", "ordinal.db-shm", "keyring", "kubeconfig", "backup.json"] {
            let files = seen.filter { URL(fileURLWithPath: $0.key).lastPathComponent.hasPrefix(name) }
            #expect(!files.isEmpty, "\(name) was never seen")
            for (path, mode) in files {
                #expect(mode & 0o077 == 0, "\(path) was mode \(String(mode, radix: 8))")
            }
        }
        let logs = seen.filter { $0.key.hasSuffix("/main.log") }
        #expect(!logs.isEmpty, "no pod log was seen")
        for (path, mode) in seen where path.hasPrefix(data) && mode & 0o007 != 0 {
            Issue.record("\(path) under the data directory was mode \(String(mode, radix: 8))")
        }
    }
}

/// Walks directories every 2 ms on its own thread (not one of the few the test's tasks
/// share) and keeps, for each path, the union of the permission bits it was ever seen with
/// (`lstat`, so a symlink is not followed).
final class ModeWatcher: Sendable {
    private let modes = Mutex<[String: Int]>([:])
    private let stopped = Mutex(false)
    private let done = DispatchSemaphore(value: 0)

    /// Starts watching `roots` until ``finish()`` or `limit`, for at most 100,000 rounds.
    init(watching roots: [String], for limit: Duration) {
        let deadline = ContinuousClock.now + limit
        Thread { [self] in
            for _ in 0..<100_000 {
                if stopped.withLock({ $0 }) || ContinuousClock.now >= deadline { break }
                for root in roots { look(root) }
                usleep(2_000)
            }
            done.signal()
        }.start()
    }

    /// Stops watching (waiting at most 10 s for the last round) and returns what was seen.
    @discardableResult
    func finish() -> [String: Int] {
        if !stopped.withLock({ let was = $0; $0 = true; return was }) {
            _ = done.wait(timeout: .now() + 10)
        }
        return modes.withLock { $0 }
    }

    private func look(_ root: String) {
        record(root)
        guard let walker = FileManager.default.enumerator(atPath: root) else { return }
        while let relative = walker.nextObject() as? String {
            record(root + "/" + relative)
        }
    }

    private func record(_ path: String) {
        var status = stat()
        guard lstat(path, &status) == 0, status.st_mode & S_IFMT != S_IFLNK else { return }
        let mode = Int(status.st_mode & 0o777)
        modes.withLock { $0[path, default: 0] |= mode }
    }
}
