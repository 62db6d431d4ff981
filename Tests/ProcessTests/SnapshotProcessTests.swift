import Foundation
import Testing

/// Backup and restore (issue 15): `ordinal snapshot save` on one cluster, `restore` into a
/// fresh one gives back its Services and StatefulSets, whose pods the new cluster runs.
@Suite(.serialized, .timeLimit(.minutes(5))) struct SnapshotProcessTests {
    private func names(_ kind: String, _ agent: AgentProcess) throws -> [String] {
        let run = try ordinal(["get", kind, "--agent", agent.apiURL], timeout: 10)
        return run.output.split(separator: "\n").dropFirst().compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    private func runningPods(_ agent: AgentProcess) -> Set<String> {
        let run = try? ordinal(["get", "pods", "--agent", agent.apiURL], timeout: 10)
        return Set((run?.output ?? "").split(separator: "\n").filter { $0.contains("Running") }.compactMap { $0.split(separator: " ").first.map(String.init) })
    }

    @Test func aRestoredClusterGetsBackEveryObjectItsUsersMade() async throws {
        let directory = try makeTestDirectory("snapshot")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("backup.json")
        let manifest = directory.appendingPathComponent("web.yaml")
        try KubectlProcessTests.manifest.write(to: manifest, atomically: true, encoding: .utf8)
        let pods: Set<String> = ["web-0", "web-1", "web-2"]
        var saved: (services: [String], sets: [String]) = ([], [])

        try await withCluster("snapshot-a", count: 1, basePort: 18010, extra: ["--bootstrap-expect", "1"]) { agents in
            _ = try await require("a leader", within: .seconds(20)) { await agreedLeader(agents) != nil }
            var run = try ordinal(["apply", "-f", manifest.path, "--agent", agents[0].apiURL])
            #expect(run.status == 0, "\(run.errors)")
            _ = try await require("web's pods Running", within: .seconds(60)) { runningPods(agents[0]) == pods }
            run = try ordinal(["snapshot", "save", file.path, "--agent", agents[0].apiURL])
            #expect(run.status == 0 && run.output.hasPrefix("saved "), "\(run.output) \(run.errors)")
            let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            saved = (try names("services", agents[0]), try names("statefulsets", agents[0]))
        }
        #expect(saved.services == ["nginx"] && saved.sets == ["web"])

        try await withCluster("snapshot-b", count: 1, basePort: 18020, extra: ["--bootstrap-expect", "1"]) { agents in
            _ = try await require("a leader", within: .seconds(20)) { await agreedLeader(agents) != nil }
            #expect(try names("statefulsets", agents[0]).isEmpty, "a fresh cluster")
            let run = try ordinal(["snapshot", "restore", file.path, "--agent", agents[0].apiURL])
            #expect(run.status == 0, "\(run.output) \(run.errors)")
            #expect(run.output.contains("service/nginx created") && run.output.contains("statefulset.apps/web created"), "\(run.output)")
            #expect(run.output.contains("left to the cluster to make again:"), "\(run.output)")
            #expect(try names("services", agents[0]) == saved.services)
            #expect(try names("statefulsets", agents[0]) == saved.sets)
            _ = try await require("web's pods Running in the restored cluster", within: .seconds(60)) { runningPods(agents[0]) == pods }

            // A file that is not a snapshot changes nothing.
            let garbage = directory.appendingPathComponent("garbage.json")
            try "{\"kind\":\"List\"}".write(to: garbage, atomically: true, encoding: .utf8)
            let refused = try ordinal(["snapshot", "restore", garbage.path, "--agent", agents[0].apiURL])
            #expect(refused.status != 0 && refused.errors.contains("not a snapshot"), "\(refused.errors)")
        }
    }
}
