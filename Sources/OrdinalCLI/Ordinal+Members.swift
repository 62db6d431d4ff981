import Yams
import API
import ArgumentParser
import FoundationEssentials

/// `ordinal members`: the cluster's membership as one agent sees it.
struct MembersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "members",
        abstract: "List the agents in the cluster and their gossip state."
    )

    @OptionGroup var client: ClientOptions

    @Option(name: .shortAndLong, help: "Output format: table or json.")
    var output: OutputFormat = .table

    func run() async throws {
        let list = try await client.agentClient().get("ordinal/v1/members", as: MemberList.self)
        switch output {
        case .json, .yaml:
            try printStructured(output, list)
        case .table, .wide:
            var table = Table(headers: ["name", "address", "state", "incarnation", "api"])
            for member in list.members {
                table.rows.append([member.name, member.address, member.state, "\(member.incarnation)", member.metadata["api"] ?? "-"])
            }
            print(table.render())
        }
    }
}

/// Prints a response as indented JSON with sorted keys, the `-o json` of every read command.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// `-o json` or `-o yaml`.
func printStructured(_ format: OutputFormat, _ value: some Encodable) throws {
    if format == .yaml {
        print(try YAMLEncoder().encode(value), terminator: "")
    } else {
        try printJSON(value)
    }
}

/// `-o` values shared by the read commands.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table
    case wide
    case json
    case yaml
}
