import Foundation
import Testing

/// The CLI finds its cluster through the context file, adds up `top` from every agent, and
/// prints progress while `scale --wait` waits.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ObservabilityCLIProcessTests {
    static let set = processTestSet("busy", replicas: 2, command: ["sh", "-c", "while :; do :; done"])

    @Test func contextTopAndScaleWait() async throws {
        try await withCluster("cli-context", count: 3, basePort: 18070, extra: ["--bootstrap-expect", "3"]) { agents in
            _ = try await require("one leader agreed by all", within: .seconds(20)) { await agreedLeader(agents) != nil }
            let directory = try makeTestDirectory("cli-context-file")
            defer { try? FileManager.default.removeItem(at: directory) }
            let context = directory.appendingPathComponent("context")
            try Data("# a test's cluster\nagent=\(agents.map(\.apiURL).joined(separator: ","))\n".utf8).write(to: context)
            let environment: [String: String?] = ["ORDINAL_CONTEXT": context.path, "ORDINAL_AGENT": nil, "ORDINAL_API_TOKEN": nil]

            let nodes = try ordinal(["get", "nodes"], environment: environment)
            #expect(nodes.status == 0, "\(nodes.errors)")
            for agent in agents { #expect(nodes.output.contains(agent.name), "get nodes through the context lists \(agent.name)") }

            try Data("agent=\(agents[0].apiURL)\nserver=elsewhere\n".utf8).write(to: context)
            let bad = try ordinal(["get", "pods"], environment: environment)
            #expect(bad.status != 0)
            #expect(bad.errors.contains("line 2: unknown key server"), "\(bad.errors)")
            try Data("agent=\(agents[0].apiURL)\n".utf8).write(to: context)

            let applied = try ordinal(["apply", "-f", "-"], input: Self.set, environment: environment)
            #expect(applied.status == 0, "\(applied.errors)")
            let scaled = try ordinal(["scale", "statefulset", "busy", "--replicas", "3", "--wait", "--timeout", "60"], environment: environment, timeout: 90)
            #expect(scaled.status == 0, "\(scaled.errors)")
            #expect(scaled.output.contains("Waiting for statefulset \"busy\" to reach 3 replicas"), "progress while waiting: \(scaled.output)")
            #expect(scaled.output.contains("statefulset \"busy\" has 3 ready replicas"))

            let top = try ordinal(["top", "pods", "--sort-by", "cpu"], environment: environment)
            #expect(top.status == 0, "\(top.errors)")
            let rows = top.output.split(separator: "\n").dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true) }
            #expect(Set(rows.compactMap(\.first)) == ["busy-0", "busy-1", "busy-2"], "\(top.output)")
            for row in rows {
                let cpu = Int(row[1].dropLast()) ?? -1
                #expect(cpu >= 300, "a busy loop uses most of a core, not \(row[1]) (\(top.output))")
                #expect(row[2].hasSuffix("Mi") && row[2] != "0Mi", "memory of \(row[0]): \(row[2])")
            }
            let topNodes = try ordinal(["top", "nodes"], environment: environment)
            #expect(topNodes.status == 0, "\(topNodes.errors)")
            #expect(topNodes.output.split(separator: "\n").count == 4, "a header and one line per agent: \(topNodes.output)")
        }
    }
}
