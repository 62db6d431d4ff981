import NIOCore

/// What to do with one UDP answer under response-rate limiting.
enum RateLimitDecision: Sendable {
    case answer
    /// Send nothing: the netblock is past its rate.
    case drop
    /// Send an empty truncated reply instead: past the rate, but this is the `slip`-th drop,
    /// so a real client behind a spoofed netblock still learns to ask over TCP.
    case slip
}

/// Response-rate limiting as BIND's RRL: a token bucket of ``DNSServerSettings/rateLimit``
/// answers per second (a second's worth of burst) per client netblock, /24 for IPv4 and
/// /56 for IPv6, so a spoofed flood cannot turn an agent into an amplifier aimed at one
/// victim. Loopback sources are limited too, since a local process is no more trusted than a
/// remote one and a flood of answers costs the agent the same CPU: each loopback address on
/// its own (it cannot be spoofed, and local agents and tools have addresses of their own),
/// and never slipped (a slip only helps a spoofed victim find TCP). `--dns-rate-limit 0`
/// turns the limit off (`scripts/bench-dns` does, to measure throughput). Runs on the UDP
/// channel's one event loop, so it needs no lock; time is the caller's, in nanoseconds.
struct ResponseRateLimiter {
    enum Netblock: Hashable {
        case v4(UInt32)
        case v6(UInt64)
        /// One loopback address (IPv4, or `::1` as 0).
        case loopback(UInt32)
    }

    private struct Bucket {
        var tokens: Double
        var refilled: UInt64
        var dropped = 0
    }

    private let rate: Int
    private let slip: Int
    private let capacity: Int
    private var buckets: [Netblock: Bucket] = [:]

    init(settings: DNSServerSettings) {
        rate = settings.rateLimit
        slip = settings.slip
        capacity = settings.maxNetblocks
    }

    /// Netblocks remembered now (never more than ``DNSServerSettings/maxNetblocks``).
    var count: Int { buckets.count }

    mutating func decide(for source: SocketAddress, now: UInt64) -> RateLimitDecision {
        guard rate > 0, let block = Self.netblock(of: source) else { return .answer }
        var bucket: Bucket
        if let known = buckets[block] {
            bucket = known
            bucket.tokens = refilled(known, now: now)
            bucket.refilled = now
        } else {
            makeRoom(now: now)
            bucket = Bucket(tokens: Double(rate), refilled: now)
        }
        let decision: RateLimitDecision
        if bucket.tokens >= 1 {
            bucket.tokens -= 1
            decision = .answer
        } else {
            bucket.dropped += 1
            let spoofable = if case .loopback = block { false } else { true }
            decision = spoofable && slip > 0 && bucket.dropped % slip == 0 ? .slip : .drop
        }
        buckets[block] = bucket
        return decision
    }

    private func refilled(_ bucket: Bucket, now: UInt64) -> Double {
        let elapsed = now >= bucket.refilled ? Double(now - bucket.refilled) : 0
        return min(Double(rate), bucket.tokens + elapsed * Double(rate) / 1e9)
    }

    /// Forgets the netblocks whose bucket has refilled (they are as good as new); when that
    /// frees less than half the table, forgets them all, so each clean-up pays for as many
    /// new netblocks as it scanned and a spoofed flood of netblocks costs O(1) per packet.
    private mutating func makeRoom(now: UInt64) {
        guard buckets.count >= capacity else { return }
        buckets = buckets.filter { refilled($0.value, now: now) < Double(rate) }
        if buckets.count > capacity / 2 { buckets.removeAll(keepingCapacity: true) }
    }

    /// The client's netblock (its own address for loopback), or nil for a Unix-socket
    /// source (exempt). Reads the address in place: this runs for every UDP query.
    static func netblock(of address: SocketAddress) -> Netblock? {
        switch address {
        case .v4:
            // sockaddr_in: family (2 bytes), port (2), address (4), in network order.
            let ip = address.withSockAddr { pointer, _ in UInt32(bigEndian: UnsafeRawPointer(pointer).loadUnaligned(fromByteOffset: 4, as: UInt32.self)) }
            return ipv4Netblock(ip)
        case .v6:
            // sockaddr_in6: family (2 bytes), port (2), flow information (4), address (16).
            let (high, low) = address.withSockAddr { pointer, _ in
                let raw = UnsafeRawPointer(pointer)
                return (UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)), UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
            }
            if high == 0, low >> 32 == 0xFFFF { return ipv4Netblock(UInt32(truncatingIfNeeded: low)) }  // IPv4 on a dual-stack socket
            if high == 0, low == 1 { return .loopback(0) }  // ::1
            return .v6(high >> 8)
        case .unixDomainSocket:
            return nil
        }
    }

    private static func ipv4Netblock(_ ip: UInt32) -> Netblock {
        ip >> 24 == 127 ? .loopback(ip) : .v4(ip >> 8)
    }
}
