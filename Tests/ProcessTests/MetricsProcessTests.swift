import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `/metrics` of real agents: valid for Prometheus' own checker, and moving when the cluster does.
@Suite(.serialized, .timeLimit(.minutes(3))) struct MetricsProcessTests {
    @Test func metricsPassPromtoolAndFollowALeaderKill() async throws {
        try await withCluster("metrics", count: 3, basePort: 18060, extra: ["--bootstrap-expect", "3"]) { agents in
            _ = try await require("one leader agreed by all", within: .seconds(20)) { await agreedLeader(agents) != nil }
            #expect(await agents[1].put("scraped", "yes") != nil)
            let dig = ["@\(agents[0].host)", "-p", "\(agents[0].dnsPort)", "+time=2", "+tries=1", "+nocookie"]
            for _ in 0..<3 { _ = try tool("/usr/bin/dig", dig + ["TXT", "dns-version.cluster.local"]) }
            _ = try tool("/usr/bin/dig", dig + ["nothere.default.svc.cluster.local"])
            let first = MetricsText(try #require(await agents[0].metrics()))
            #expect(first.value("ordinal_dns_queries_total", ["type": "TXT", "rcode": "NOERROR"]) == 3)
            #expect(first.value("ordinal_dns_queries_total", ["type": "A", "rcode": "NXDOMAIN"]) == 1)
            #expect(first.value("ordinal_dns_cache_hits_total", [:]) == 2, "the second and third identical query come from the cache")
            for agent in agents {
                let text = try #require(await agent.metrics(), "\(agent.name) serves /metrics")
                let (status, output) = try promtoolCheck(text)
                #expect(status == 0 && output.isEmpty, "promtool check metrics on \(agent.name): \(output)")
                for family in Self.families {
                    #expect(text.contains("# TYPE \(family) "), "\(agent.name) exposes \(family)")
                }
                #expect(MetricsText(text).value("ordinal_gossip_members", ["state": "alive"]) == 3)
            }
            try checkGrafanaDashboard(against: try #require(await agents[0].metrics()))
            let leader = try #require(await agreedLeader(agents))
            let victim = try #require(agents.first { $0.name == leader })
            let survivors = agents.filter { $0 !== victim }
            var changesBefore: [String: Double] = [:]
            for survivor in survivors {
                let text = try #require(await survivor.metrics())
                changesBefore[survivor.name] = try #require(MetricsText(text).value("ordinal_raft_leader_changes_total", [:]))
            }
            victim.kill9()
            _ = try await require("survivors count a leader change and one member not alive", within: .seconds(20)) {
                await survivors.asyncAll { survivor in
                    guard let text = await survivor.metrics() else { return false }
                    let metrics = MetricsText(text)
                    let changes = metrics.value("ordinal_raft_leader_changes_total", [:]) ?? 0
                    let alive = metrics.value("ordinal_gossip_members", ["state": "alive"])
                    let gone = (metrics.value("ordinal_gossip_members", ["state": "suspect"]) ?? 0)
                        + (metrics.value("ordinal_gossip_members", ["state": "dead"]) ?? 0)
                    return changes > changesBefore[survivor.name]! && alive == 2 && gone == 1
                }
            }
        }
    }

    /// One family of each area the metrics cover.
    static let families = [
        "ordinal_gossip_members", "ordinal_gossip_probes_total", "ordinal_peer_bytes_total", "ordinal_raft_term",
        "ordinal_raft_commit_duration_seconds", "ordinal_storage_fsync_duration_seconds", "ordinal_storage_database_size_bytes",
        "ordinal_controller_pass_duration_seconds", "ordinal_pods", "ordinal_runtime_pod_starts_total", "ordinal_dns_answer_duration_seconds",
        "ordinal_api_requests_total",
    ]

    /// Every query of cluster/grafana/ordinal-dashboard.json is valid PromQL (`promtool check
    /// rules` on them as recording rules) and names only series the agent serves.
    private func checkGrafanaDashboard(against metrics: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let data = try Data(contentsOf: root.appendingPathComponent("cluster/grafana/ordinal-dashboard.json"))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        let expressions = panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        #expect(expressions.count >= 20)
        let regex = try NSRegularExpression(pattern: "ordinal_[a-z_]+")
        for expression in expressions {
            let range = NSRange(expression.startIndex..., in: expression)
            for match in regex.matches(in: expression, range: range) {
                var name = String(expression[Range(match.range, in: expression)!])
                for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) { name.removeLast(suffix.count) }
                #expect(metrics.contains("# TYPE \(name) "), "the dashboard's query \(expression) names \(name), which the agent serves")
            }
        }
        var rules = "groups:\n- name: dashboard\n  rules:\n"
        for (index, expression) in expressions.enumerated() {
            let concrete = expression.replacingOccurrences(of: "$instance", with: ".*").replacingOccurrences(of: "'", with: "''")
            rules += "  - record: dashboard:query\(index)\n    expr: '\(concrete)'\n"
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ordinal-dashboard-rules-\(getpid()).yml")
        try Data(rules.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let (status, output) = try promtool(["check", "rules", file.path], input: "")
        #expect(status == 0, "promtool check rules on the dashboard's queries: \(output)")
    }

    /// Runs `promtool check metrics` over `text`; its exit status and what it printed.
    private func promtoolCheck(_ text: String) throws -> (Int32, String) {
        try promtool(["check", "metrics"], input: text)
    }

    private func promtool(_ arguments: [String], input text: String) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["promtool"] + arguments
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, printed.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// Series values read from the Prometheus text format.
struct MetricsText {
    let lines: [Substring]

    init(_ text: String) {
        lines = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
    }

    /// The value of the series `name` whose labels include `labels`.
    func value(_ name: String, _ labels: [String: String]) -> Double? {
        for line in lines {
            guard let space = line.lastIndex(of: " ") else { continue }
            let series = line[..<space]
            let bareName = series.firstIndex(of: "{").map { series[..<$0] } ?? series
            guard bareName == name else { continue }
            guard labels.allSatisfy({ series.contains("\($0.key)=\"\($0.value)\"") }) else { continue }
            return Double(line[line.index(after: space)...])
        }
        return nil
    }
}

extension AgentProcess {
    /// The agent's `/metrics` text, or nil when it does not answer.
    func metrics() async -> String? {
        guard let url = URL(string: "\(apiURL)/metrics") else { return nil }
        var request = URLRequest(url: url)
        request.timeoutInterval = 2
        guard let (data, response) = try? await URLSession.shared.data(for: request),
              (response as? HTTPURLResponse)?.statusCode == 200 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
