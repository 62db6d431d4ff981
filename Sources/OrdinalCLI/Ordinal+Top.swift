import API
import ArgumentParser
import FoundationEssentials

/// `ordinal top nodes|pods`: CPU and memory as `kubectl top` shows them, asked of every live
/// agent (`/ordinal/v1/usage`, read from its machine's `/proc`) and added up here. CPU is an
/// average over the last half second or more; memory is resident memory now.
struct TopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "Show CPU and memory of nodes or pods.",
        discussion: "Agents on one machine (a local cluster) each report that machine, so their node figures match."
    )

    enum Target: String, ExpressibleByArgument, CaseIterable {
        case nodes, node, no, pods, pod, po
        var isPods: Bool { [.pods, .pod, .po].contains(self) }
    }

    @OptionGroup var client: ClientOptions

    @Argument(help: "nodes or pods.")
    var target: Target

    @Option(name: .shortAndLong, help: "Namespace of the pods (default: default).")
    var namespace: String = "default"

    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "Pods of every namespace.")
    var allNamespaces = false

    @Option(name: .customLong("sort-by"), help: "cpu or memory (default: by name).")
    var sortBy: SortKey?

    enum SortKey: String, ExpressibleByArgument, CaseIterable { case cpu, memory }

    func run() async throws {
        let reports = try await gather()
        print(target.isPods ? podTable(reports).render() : nodeTable(reports).render())
    }

    /// Every live agent's report; the agents that do not answer are named on stderr.
    private func gather() async throws -> [UsageReport] {
        let connection = try client.connection()
        let first = try client.agentClient()
        let members = try await first.get("ordinal/v1/members", as: MemberList.self).members.filter { $0.state == "alive" }
        let secure = first.agents.first?.url.hasPrefix("https://") ?? false
        let answers = await withTaskGroup(of: (String, Result<UsageReport, any Error>).self) { group in
            for member in members {
                guard let api = member.metadata["api"] else { continue }
                group.addTask {
                    do {
                        let agent = try AgentClient(agent: (secure ? "https://" : "http://") + api, token: connection.token, caFile: connection.ca)
                        return (member.name, .success(try await agent.get("ordinal/v1/usage", as: UsageReport.self)))
                    } catch {
                        return (member.name, .failure(error))
                    }
                }
            }
            var answers: [(String, Result<UsageReport, any Error>)] = []
            for await answer in group { answers.append(answer) }
            return answers
        }
        var reports: [UsageReport] = []
        for (name, result) in answers.sorted(by: { $0.0 < $1.0 }) {
            switch result {
            case .success(let report): reports.append(report)
            case .failure(let error): printError("top: \(name) did not answer: \(error)")
            }
        }
        return reports
    }

    private func nodeTable(_ reports: [UsageReport]) -> Table {
        var rows = reports.map { report -> (String, Int, UInt64, [String]) in
            let cpuPercent = report.cores > 0 ? report.cpuMillicores * 100 / (report.cores * 1000) : 0
            let memoryPercent = report.memoryTotalBytes > 0 ? Int(report.memoryBytes * 100 / report.memoryTotalBytes) : 0
            return (report.node, report.cpuMillicores, report.memoryBytes,
                    [report.node, "\(report.cpuMillicores)m", "\(cpuPercent)%", Self.mebibytes(report.memoryBytes), "\(memoryPercent)%"])
        }
        rows.sort(by: sortBy) { ($0.1, $0.2, $0.0) }
        var table = Table(headers: ["name", "cpu(cores)", "cpu(%)", "memory(bytes)", "memory(%)"])
        table.rows = rows.map(\.3)
        return table
    }

    private func podTable(_ reports: [UsageReport]) -> Table {
        var rows = reports.flatMap { report in
            report.pods.filter { allNamespaces || $0.namespace == namespace }.map { pod in
                ("\(pod.namespace)/\(pod.name)", pod.cpuMillicores, pod.memoryBytes,
                 (allNamespaces ? [pod.namespace] : []) + [pod.name, "\(pod.cpuMillicores)m", Self.mebibytes(pod.memoryBytes), report.node])
            }
        }
        rows.sort(by: sortBy) { ($0.1, $0.2, $0.0) }
        var table = Table(headers: (allNamespaces ? ["namespace"] : []) + ["name", "cpu(cores)", "memory(bytes)", "node"])
        table.rows = rows.map(\.3)
        return table
    }

    static func mebibytes(_ bytes: UInt64) -> String {
        "\((bytes + (1 << 19)) >> 20)Mi"
    }
}

private extension Array {
    /// Sorted by name, or by the larger CPU or memory first, as `kubectl top --sort-by` does.
    mutating func sort(by key: TopCommand.SortKey?, _ fields: (Element) -> (cpu: Int, memory: UInt64, name: String)) {
        sort { left, right in
            let (a, b) = (fields(left), fields(right))
            switch key {
            case .cpu?: return a.cpu != b.cpu ? a.cpu > b.cpu : a.name < b.name
            case .memory?: return a.memory != b.memory ? a.memory > b.memory : a.name < b.name
            case nil: return a.name < b.name
            }
        }
    }
}
