import Basics

/// The leader's record of every agent's lease, which decides when an agent's pods may run
/// elsewhere (design §5, step 3).
///
/// A renewal is recorded when a request arrives, never earlier than the requester timed
/// its own lease from; an agent with no record since this node became leader is treated
/// as having renewed at that moment, which is what makes a new leader wait one lease:
/// any grant a previous leader made was confirmed by a quorum before this leader's election.
package struct LeaseBook: Sendable, Hashable {
    package let lease: Duration
    /// Slack for clock-rate differences and for a supervisor noticing its deadline late.
    package let margin: Duration
    package private(set) var leaderSince: Instant?
    private var lastRequest: [NodeID: Instant] = [:]

    package init(lease: Duration, margin: Duration) {
        self.lease = lease
        self.margin = margin
    }

    package mutating func becameLeader(at now: Instant) {
        leaderSince = now
        lastRequest = [:]
    }

    package mutating func steppedDown() {
        leaderSince = nil
        lastRequest = [:]
    }

    package mutating func heard(from node: NodeID, at now: Instant) {
        guard leaderSince != nil else { return }
        lastRequest[node] = max(lastRequest[node] ?? now, now)
    }

    /// Whether `node`'s lease has surely run out, so none of its pod processes can still
    /// live. Only a leader knows; a follower answers false.
    package func hasExpired(_ node: NodeID, now: Instant) -> Bool {
        guard let since = leaderSince else { return false }
        let last = max(lastRequest[node] ?? since, since)
        return now - last >= lease + margin
    }
}
