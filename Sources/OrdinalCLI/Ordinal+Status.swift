import API
import ArgumentParser

/// `ordinal status`: the Raft view of one agent, like `etcdctl endpoint status`.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the Raft leader, term, indexes, voters and learners as one agent sees them."
    )

    @OptionGroup var client: ClientOptions

    @Option(name: .shortAndLong, help: "Output format: table or json.")
    var output: OutputFormat = .table

    func run() async throws {
        let status = try await client.agentClient().get("ordinal/v1/raft", as: RaftStatus.self)
        switch output {
        case .json, .yaml:
            try printStructured(output, status)
        case .table, .wide:
            var table = Table(headers: ["node", "role", "leader", "term", "commit", "applied", "voters", "learners"])
            table.rows.append([
                status.node, status.role, status.leader ?? "<none>", "\(status.term)",
                "\(status.commitIndex)", "\(status.appliedIndex)",
                status.voters.isEmpty ? "<none>" : status.voters.joined(separator: ","),
                status.learners.isEmpty ? "<none>" : status.learners.joined(separator: ","),
            ])
            print(table.render())
        }
    }
}
