import Synchronization

/// Decides whether a refusal may be logged now: at most once per source per interval, so a
/// flood from one client writes one line a minute, and at most `capacity` sources
/// remembered, so a flood from many cannot grow the table (past it, lines are skipped until
/// old entries expire; the metrics still count every refusal).
final class RefusalLog: Sendable {
    private let lastLogged = Mutex([String: ContinuousClock.Instant]())
    private let interval: Duration
    private let capacity: Int

    init(interval: Duration = .seconds(60), capacity: Int = 1_024) {
        self.interval = interval
        self.capacity = capacity
    }

    /// - Returns: `true` when the caller should log, and records that it did.
    func shouldLog(source: String, now: ContinuousClock.Instant = .now) -> Bool {
        lastLogged.withLock { table in
            if let last = table[source], now - last < interval { return false }
            if table[source] == nil, table.count >= capacity {
                table = table.filter { now - $0.value < interval }
                guard table.count < capacity else { return false }
            }
            table[source] = now
            return true
        }
    }

    /// Sources remembered now.
    var count: Int { lastLogged.withLock { $0.count } }
}
