package import Basics

/// How the peer transport listens, dials and bounds its memory.
package struct TransportSettings: Sendable {
    /// Address the listener binds.
    package var bind: Endpoint
    /// Largest frame accepted or sent; a larger length prefix closes the connection.
    package var maxFrameBytes: Int = 4 << 20
    /// Frames queued per peer while its connection is slow or down; beyond this, new frames
    /// are dropped and counted, so a slow peer cannot make an agent grow without bound.
    package var outgoingQueueFrames: Int = 256
    /// How long a dial may take before it counts as failed.
    package var connectTimeout: Duration = .milliseconds(500)
    /// Inbound connections held at once; one more is closed as it is accepted. Each may
    /// buffer up to one frame before it proves it holds the key, so this bounds what
    /// strangers can make an agent hold.
    package var maxInboundConnections = 256
    /// Inbound connections held at once from one non-loopback address (agents sharing a
    /// loopback host are exempt: there the local user is already trusted).
    package var maxInboundPerAddress = 8
    /// An inbound connection must deliver a frame that opens and parses within this, or
    /// it is closed: a stranger cannot hold a connection (and its buffer) by trickling bytes.
    package var firstFrameTimeout: Duration = .seconds(5)
    /// An inbound connection that carries nothing for this long is closed (peers gossip
    /// several times a second).
    package var idleTimeout: Duration = .seconds(60)
    /// Largest first frame on an inbound connection: until one frame opened and parsed, a
    /// connection may not make this agent buffer more. Agents open every connection they
    /// dial with a small `Hello` (``identity``), so their large frames come after it.
    package var maxFirstFrameBytes = 4_096
    /// This agent's name, which opens every connection it dials (nil: no greeting, for
    /// tests of the transport alone).
    package var identity: NodeID?
    /// Reconnect back-off after a failed dial or a broken connection.
    package var reconnect = Backoff(initial: .milliseconds(100), maximum: .seconds(5))

    package init(bind: Endpoint) {
        self.bind = bind
    }
}
