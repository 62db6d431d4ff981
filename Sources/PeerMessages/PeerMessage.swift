import AgentCore
import Basics
import Wire

/// AgentCore's ``AgentCore/PeerMessage`` under a name that does not collide with
/// `Wire.PeerMessage` inside the `Wire` namespace (the module and its namespace enum share
/// the name `AgentCore`, so it cannot be qualified).
package typealias CorePeerMessage = PeerMessage

extension Wire {
    /// Everything one agent sends another over a peer connection: AgentCore's peer
    /// message. Each core's traffic is one case (and one or two registered kinds) rather
    /// than a connection of its own.
    package typealias PeerMessage = CorePeerMessage

    /// The codec of the agent's peer connections.
    package typealias PeerCodec = Codec<CorePeerMessage>
}

extension CorePeerMessage: Wire.Message {}

extension Wire.MessageKinds where M == CorePeerMessage {
    /// Every kind the agent speaks, each registered by its service's conversions.
    package static let agent: Self = {
        var kinds = Self()
        kinds.registerGossip()
        kinds.registerRaft()
        kinds.registerLease()
        kinds.registerForward()
        kinds.registerLogs()
        kinds.registerHello()
        kinds.registerKeyring()
        kinds.registerVolume()
        return kinds
    }()
}

extension Wire.Codec where M == CorePeerMessage {
    /// The agent's codec: its kinds, under `keyring`.
    package init(keyring: Wire.Keyring, maxFrameBytes: Int = Wire.defaultMaxFrameBytes, wallMicros: @escaping @Sendable () -> UInt64 = Wire.systemWallMicros) {
        self.init(kinds: .agent, keyring: keyring, maxFrameBytes: maxFrameBytes, wallMicros: wallMicros)
    }
}
