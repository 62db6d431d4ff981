import Synchronization

/// Counters of what the transport dropped and why, read by metrics and tests.
package final class TransportCounters: Sendable {
    private let state = Mutex(Snapshot())

    /// A point-in-time copy of the counters.
    package struct Snapshot: Sendable, Hashable, Codable {
        /// Frames that did not open with the cluster key (strangers, corruption).
        package var rejectedFrames: UInt64 = 0
        /// Connections closed for a bad length prefix or a broken stream.
        package var rejectedConnections: UInt64 = 0
        /// Inbound connections refused as they were accepted: no slot for them
        /// (``TransportSettings/maxInboundConnections``, ``TransportSettings/maxUnprovenConnections``).
        package var refusedConnections: UInt64 = 0
        /// Unproven inbound connections closed to make room for a newer one from the same
        /// address, or for one from a member's address.
        package var evictedConnections: UInt64 = 0
        /// Frames that opened but carried a message for another agent (dropped).
        package var misdirectedFrames: UInt64 = 0
        /// Frames dropped because a peer's outgoing queue was full.
        package var droppedOutgoing: UInt64 = 0
        /// Frames received and decoded.
        package var receivedFrames: UInt64 = 0
        /// Frames written to a peer.
        package var sentFrames: UInt64 = 0
        /// Bytes of the frames received (after the length prefix), greetings included.
        package var receivedBytes: UInt64 = 0
        /// Bytes of the frames written, length prefixes included.
        package var sentBytes: UInt64 = 0
    }

    package init() {}

    package var snapshot: Snapshot { state.withLock { $0 } }

    func record(_ update: (inout Snapshot) -> Void) {
        state.withLock { update(&$0) }
    }
}
