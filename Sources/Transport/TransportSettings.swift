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
    /// Reconnect back-off after a failed dial or a broken connection.
    package var reconnect = Backoff(initial: .milliseconds(100), maximum: .seconds(5))

    package init(bind: Endpoint) {
        self.bind = bind
    }
}
