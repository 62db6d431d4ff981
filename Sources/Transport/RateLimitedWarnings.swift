import Basics
import Synchronization

/// Decides whether a warning about a peer may be logged now: at most once per peer per
/// interval, so garbage from one stranger cannot flood the log.
final class RateLimitedWarnings: Sendable {
    private let lastLogged = Mutex([String: Instant]())
    private let interval: Duration

    init(interval: Duration = .seconds(60)) {
        self.interval = interval
    }

    /// - Returns: `true` when the caller should log, and records that it did.
    func shouldLog(peer: String, now: Instant) -> Bool {
        lastLogged.withLock { table in
            if let last = table[peer], now - last < interval { return false }
            if table.count > 4096 { table.removeAll() }
            table[peer] = now
            return true
        }
    }
}
