/// How many connections the agent's listeners hold (`--api-max-connections` and friends).
///
/// The defaults fit the project's own use with room: 64 concurrent API clients from one
/// address (a dashboard, kubectl loops, agents forwarding execs), and 50 agents on one machine
/// dialing each other's peer ports. Together they are also bounded by the descriptors the
/// process may open (`DescriptorBudget`): a connection past either is refused.
package struct ListenerSettings: Sendable, Hashable {
    package var apiConnections = 512
    package var apiConnectionsPerSource = 64

    package init() {}

    /// Descriptors kept for the agent's own use whatever the listeners hold: the database,
    /// event loops, links to peers, volume tools, and two per pod it may run.
    static func reservedDescriptors(maxPods: Int) -> Int {
        256 + 2 * maxPods
    }
}
