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
    /// Inbound connections held at once, proven or not; one more is refused as it is
    /// accepted (unless it comes from a member's address and an unproven one can make room:
    /// ``InboundSlots``). 50 agents on one machine hold 49 each, plus reconnections.
    package var maxInboundConnections = 256
    /// Unproven inbound connections (no frame opened and parsed yet) held at once from
    /// addresses no member has: what strangers, and agents not yet known, share. Each may
    /// buffer up to one first frame, so this bounds what strangers can make an agent hold.
    package var maxUnprovenConnections = 64
    /// Unproven inbound connections held at once from one address, loopback included (local
    /// agents dial from their own `--bind` host); one more closes that address's oldest.
    package var maxUnprovenPerAddress = 8
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

    /// Told each time `accept` fails (out of descriptors or memory), with the errno's name;
    /// the listener then pauses a second.
    package var acceptFailed: @Sendable (_ reason: String) -> Void = { _ in }

    /// Told how many addresses the peer listener has the kernel turn away.
    package var blockedSources: @Sendable (_ count: Int) -> Void = { _ in }

    package init(bind: Endpoint) {
        self.bind = bind
    }
}
