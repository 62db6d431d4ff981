import Agent
import ArgumentParser

/// Flags bounding what clients can make the agent's listeners hold (docs/security.md).
struct ListenerOptions: ParsableArguments {
    @Option(help: "Connections the API holds at once; one more is closed as it is accepted.")
    var apiMaxConnections = ListenerSettings().apiConnections

    @Option(help: "Connections the API holds at once from one address (loopback included).")
    var apiMaxConnectionsPerSource = ListenerSettings().apiConnectionsPerSource

    @Option(help: "Inbound peer connections held at once, from members and strangers.")
    var peerMaxConnections = ListenerSettings().peerConnections

    @Option(help: "Inbound peer connections held at once that have not yet sent a frame sealed with the cluster key, from addresses no member has.")
    var peerMaxUnprovenConnections = ListenerSettings().peerUnprovenConnections

    @Option(help: "Of those, from one address (loopback included).")
    var peerMaxUnprovenPerSource = ListenerSettings().peerUnprovenPerSource

    func apply(to settings: inout AgentSettings) throws {
        try Self.check(apiMaxConnections, flag: "--api-max-connections")
        try Self.check(apiMaxConnectionsPerSource, flag: "--api-max-connections-per-source")
        try Self.check(peerMaxConnections, flag: "--peer-max-connections")
        try Self.check(peerMaxUnprovenConnections, flag: "--peer-max-unproven-connections")
        try Self.check(peerMaxUnprovenPerSource, flag: "--peer-max-unproven-per-source")
        settings.listeners.apiConnections = apiMaxConnections
        settings.listeners.apiConnectionsPerSource = apiMaxConnectionsPerSource
        settings.listeners.peerConnections = peerMaxConnections
        settings.listeners.peerUnprovenConnections = peerMaxUnprovenConnections
        settings.listeners.peerUnprovenPerSource = peerMaxUnprovenPerSource
    }

    /// A cap from 1 to 1,000,000 (more descriptors than any process may hold).
    static func check(_ value: Int, flag: String) throws {
        guard (1 ... 1_000_000).contains(value) else {
            throw ValidationError("\(flag) \(value): expected 1 to 1000000")
        }
    }
}
