import Synchronization

/// Decides whether a warning about a source may be logged now: at most once per source per
/// interval, so one client's garbage or floods cannot flood the log. The table of sources is
/// bounded; past its size, sources not seen within the interval are forgotten, and while it
/// is full of recent ones a new source is not logged (its refusals are still counted).
package final class RateLimitedLog: Sendable {
    private let lastLogged = Mutex([String: ContinuousClock.Instant]())
    private let interval: Duration
    private let maxSources: Int

    package init(interval: Duration = .seconds(60), maxSources: Int = 1_024) {
        self.interval = interval
        self.maxSources = maxSources
    }

    /// Sources remembered now.
    package var count: Int { lastLogged.withLock { $0.count } }

    /// - Returns: `true` when the caller should log, and records that it did.
    package func shouldLog(_ source: String, now: ContinuousClock.Instant = .now) -> Bool {
        let interval = interval
        return lastLogged.withLock { table in
            if let last = table[source], now - last < interval { return false }
            if table.count >= maxSources { table = table.filter { now - $0.value < interval } }
            guard table.count < maxSources || table[source] != nil else { return false }
            table[source] = now
            return true
        }
    }
}
