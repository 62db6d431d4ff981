/// How many connections the agent's listeners hold (`--api-max-connections` and friends).
///
/// The defaults fit the project's own use with room: 64 concurrent API clients from one
/// address (a dashboard, kubectl loops, agents forwarding execs), and 50 agents on one machine
/// dialing each other's peer ports. Together they are also bounded by the descriptors the
/// process may open (`DescriptorBudget`): a connection past either is refused.
package struct ListenerSettings: Sendable, Hashable {
    package var apiConnections = 512
    package var apiConnectionsPerSource = 64
    /// Inbound peer connections in all, proven or not.
    package var peerConnections = 256
    /// Inbound peer connections that have not yet sent a valid sealed frame, from addresses
    /// no member has, and of those from one address (loopback included).
    package var peerUnprovenConnections = 64
    package var peerUnprovenPerSource = 8

    package init() {}

    /// Descriptors the API and DNS listeners leave alone: the agent's own (the database,
    /// event loops, links to peers, volume tools, two per pod it may run) and the peer
    /// listener's, which has its own cap and slots members keep.
    static func reservedDescriptors(maxPods: Int, peerConnections: Int) -> Int {
        128 + 2 * maxPods + peerConnections
    }
}
