import Basics

/// This agent's lease: its right to run the pods assigned to it (design §5).
///
/// The lease is renewed by a round trip with the leader, and it is timed from when the
/// request left, not from when the grant came back: the leader records a renewal when the
/// request *arrives*, which is later, so the leader's view of the deadline is never earlier
/// than the holder's. The grant also carries a read index (the leader's commit index,
/// confirmed by a quorum), and the agent starts a process only once it has applied up to it,
/// so an agent that was frozen or cut off learns that its pod moved before it can restart it.
package struct LeaseHolder: Sendable {
    package let duration: Duration
    /// How often a renewal is requested; a quarter of the lease rides out three lost rounds.
    package let renewInterval: Duration
    private var nextSequence: UInt64 = 1
    /// Requests in flight, oldest first, bounded: a grant for a forgotten request is ignored.
    private var inFlight: [(sequence: UInt64, sentAt: Instant)] = []
    private var lastRequest: Instant?
    /// Until when this agent may run its pods; nil before its first grant.
    package private(set) var deadline: Instant?
    /// The highest read index granted: starting a process waits until it is applied.
    package private(set) var readIndex: UInt64 = 0

    private static let inFlightLimit = 8

    package init(duration: Duration, renewInterval: Duration? = nil) {
        self.duration = duration
        self.renewInterval = renewInterval ?? duration / 4
    }

    /// When the next request is due.
    package var nextRequest: Instant? { lastRequest.map { $0 + renewInterval } }

    /// The sequence number of a request to send now, or nil when the last one is recent.
    package mutating func request(now: Instant) -> UInt64? {
        if let due = nextRequest, now < due { return nil }
        let sequence = nextSequence
        nextSequence += 1
        lastRequest = now
        inFlight.append((sequence, now))
        if inFlight.count > Self.inFlightLimit { inFlight.removeFirst() }
        return sequence
    }

    /// The leader granted request `sequence` at `readIndex`.
    /// - Returns: whether the grant matched a request in flight (and so renewed the lease).
    package mutating func granted(sequence: UInt64, readIndex: UInt64) -> Bool {
        guard let request = inFlight.first(where: { $0.sequence == sequence }) else { return false }
        inFlight.removeAll { $0.sequence <= sequence }
        let until = request.sentAt + duration
        if deadline.map({ until > $0 }) ?? true { deadline = until }
        self.readIndex = max(self.readIndex, readIndex)
        return true
    }

    package func isValid(at now: Instant) -> Bool {
        deadline.map { now < $0 } ?? false
    }
}
