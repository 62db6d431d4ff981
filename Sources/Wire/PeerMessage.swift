import AgentCore

/// AgentCore's ``AgentCore/PeerMessage`` under a name that does not collide with
/// `Wire.PeerMessage` inside the `Wire` namespace (the module and its namespace enum share
/// the name `AgentCore`, so it cannot be qualified).
package typealias CorePeerMessage = PeerMessage

extension Wire {
    /// Everything one agent sends another over a peer connection: AgentCore's peer
    /// message. Each core's traffic is one case (and one `PeerFrame.body` field) rather
    /// than a connection of its own.
    package typealias PeerMessage = CorePeerMessage
}
