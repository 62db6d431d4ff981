package import Membership

/// What the API reads from the agent it runs in. The agent implements it; tests pass a fixed
/// view, which keeps the API free of the agent's machinery.
package protocol ClusterView: Sendable {
    /// The agent's own name.
    var nodeName: String { get }
    /// Every member this agent knows, itself included, sorted by name.
    func members() async -> [Membership.Member]
}
