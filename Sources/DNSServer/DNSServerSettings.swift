/// How the DNS server bounds what clients can make it hold (issue 26). A TCP connection
/// holds at most one read (16 KiB), one partial message (64 KiB) and
/// ``maxPendingAnswerBytes`` of unsent answers plus one answer (64 KiB), so
/// ``maxConnections`` bounds the total: about 50 MiB at the defaults, whatever the clients
/// do. The agent sets four from flags (`--dns-max-connections`,
/// `--dns-max-connections-per-source`, `--dns-tcp-queries-per-second`, `--dns-rate-limit`);
/// the rest keep their defaults.
package struct DNSServerSettings: Sendable, Equatable {
    /// TCP connections held at once; one more is closed as it is accepted.
    package var maxConnections = 128
    /// TCP connections held at once from one address, loopback included (agents and
    /// resolvers on one machine are distinct addresses; one local user is not all of them).
    package var maxConnectionsPerSource = 16
    /// Unsent answer bytes past which a connection is no longer read (backpressure): its
    /// client must read answers before it may send more queries.
    package var pendingAnswerBytes = 64 << 10
    /// Unsent answer bytes past which a connection is closed: queries already read asked
    /// for more than this before the client read anything.
    package var maxPendingAnswerBytes = 256 << 10
    /// Queries read but not yet answered onto the socket, per connection; past it the
    /// connection's remaining input waits (and is not read) until answers drain.
    package var maxQueriesInFlight = 64
    /// From the first byte of a message to its last: a client trickling a message is closed.
    package var messageDeadline: Duration = .seconds(5)
    /// A connection that sends no bytes for this long is closed.
    package var idleTimeout: Duration = .seconds(10)
    /// A connection not read (its client not reading our answers) for this long is closed.
    package var stallTimeout: Duration = .seconds(5)
    /// Queries answered per second on one TCP connection (a second's worth of burst); past
    /// it the connection is read again only as the rate allows. Answers cost CPU however
    /// fast the client reads them, and a client pipelining queries on its connections would
    /// otherwise take a core from the agent's Raft and API work. 0: no limit.
    package var tcpQueriesPerSecond = 1_000
    /// UDP responses per second to one client netblock (/24 IPv4, /56 IPv6), as BIND's
    /// `responses-per-second`; 0 turns response-rate limiting off. Each loopback address is a
    /// netblock of its own and is never slipped.
    package var rateLimit = 100
    /// Every `slip`-th response dropped by the rate limit is sent as an empty truncated
    /// reply, so a real client behind a limited netblock retries over TCP (0: none).
    package var slip = 2
    /// Bind with `SO_REUSEPORT`, so the agents of one machine share one address (the pods'
    /// gateway): the kernel spreads queries between them, and each answers from its replica.
    package var sharedPort = false
    /// Netblocks the rate limiter remembers at once (each a few dozen bytes).
    package var maxNetblocks = 16_384

    package init() {}

    package struct Invalid: Error, CustomStringConvertible {
        package let description: String
    }

    /// Throws when a bound is out of range or the bounds contradict each other.
    package func validate() throws(Invalid) {
        guard (1...65_536).contains(maxConnections) else { throw Invalid(description: "--dns-max-connections \(maxConnections): expected 1 to 65536") }
        guard (1...maxConnections).contains(maxConnectionsPerSource) else {
            throw Invalid(description: "--dns-max-connections-per-source \(maxConnectionsPerSource): expected 1 to --dns-max-connections (\(maxConnections))")
        }
        guard pendingAnswerBytes > 0, maxPendingAnswerBytes > pendingAnswerBytes else {
            throw Invalid(description: "DNS pending answer bytes \(pendingAnswerBytes) and \(maxPendingAnswerBytes): expected 0 < stop-reading < close")
        }
        guard maxQueriesInFlight > 0 else { throw Invalid(description: "DNS queries in flight \(maxQueriesInFlight): expected at least 1") }
        for (name, duration) in [("message deadline", messageDeadline), ("idle timeout", idleTimeout), ("stall timeout", stallTimeout)] where duration <= .zero {
            throw Invalid(description: "the DNS \(name) \(duration): expected more than zero")
        }
        guard (0...1_000_000).contains(tcpQueriesPerSecond) else {
            throw Invalid(description: "--dns-tcp-queries-per-second \(tcpQueriesPerSecond): expected 0 (no limit) to 1000000")
        }
        guard (0...1_000_000).contains(rateLimit) else { throw Invalid(description: "--dns-rate-limit \(rateLimit): expected 0 (off) to 1000000 answers per second") }
        guard (0...10).contains(slip) else { throw Invalid(description: "the DNS slip \(slip): expected 0 to 10") }
        guard maxNetblocks > 0 else { throw Invalid(description: "DNS rate-limit netblocks \(maxNetblocks): expected at least 1") }
    }
}
