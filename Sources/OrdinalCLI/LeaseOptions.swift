import Agent
import AgentCore
import ArgumentParser

/// Flags for pod leases (design §5).
struct LeaseOptions: ParsableArguments {
    @Option(help: "How long this agent may run its pods without renewing its lease with the leader, e.g. 4s or 2500ms. The leader moves pods off a dead agent one lease plus a margin after its last renewal.")
    var lease: String = "4s"

    func apply(to settings: inout AgentSettings) throws {
        guard let duration = DurationFlag.parse(lease), duration >= .milliseconds(500), duration <= .seconds(300) else {
            throw ValidationError("--lease \(lease): expected a duration between 500ms and 300s, such as 4s or 2500ms")
        }
        settings.core.lease = duration
    }
}
