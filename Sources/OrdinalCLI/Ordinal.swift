import ArgumentParser

/// `ordinal`: run an agent, or talk to one.
@main
struct Ordinal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ordinal",
        abstract: "StatefulSets without Kubernetes: stable identities, storage and DNS across agents.",
        subcommands: [
            AgentCommand.self, ApplyCommand.self, GetCommand.self, DescribeCommand.self, ScaleCommand.self, DeleteCommand.self,
            RolloutCommand.self, LogsCommand.self, LookupCommand.self, MembersCommand.self, StatusCommand.self,
            KubeconfigCommand.self, KeyringCommand.self, SnapshotCommand.self, VolumeCommand.self, TopCommand.self, CordonCommand.self, UncordonCommand.self, DrainCommand.self, ExecCommand.self, HelperCommand.self,
        ]
    )
}
