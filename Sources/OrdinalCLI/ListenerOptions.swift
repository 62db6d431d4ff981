import Agent
import ArgumentParser

/// Flags bounding what clients can make the agent's listeners hold (docs/security.md).
struct ListenerOptions: ParsableArguments {
    @Option(help: "Connections the API holds at once; one more is closed as it is accepted.")
    var apiMaxConnections = ListenerSettings().apiConnections

    @Option(help: "Connections the API holds at once from one address (loopback included).")
    var apiMaxConnectionsPerSource = ListenerSettings().apiConnectionsPerSource

    func apply(to settings: inout AgentSettings) throws {
        try Self.check(apiMaxConnections, flag: "--api-max-connections")
        try Self.check(apiMaxConnectionsPerSource, flag: "--api-max-connections-per-source")
        settings.listeners.apiConnections = apiMaxConnections
        settings.listeners.apiConnectionsPerSource = apiMaxConnectionsPerSource
    }

    /// A cap from 1 to 1,000,000 (more descriptors than any process may hold).
    static func check(_ value: Int, flag: String) throws {
        guard (1 ... 1_000_000).contains(value) else {
            throw ValidationError("\(flag) \(value): expected 1 to 1000000")
        }
    }
}
