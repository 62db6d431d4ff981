import Basics

/// When and on which connection a call to the runtime goes: at most `limit` calls in flight,
/// the rest waiting their turn in order (a burst of pod starts, a Parallel StatefulSet of
/// hundreds, would otherwise open as many streams, which containerd serves no faster on a few
/// cores), and each connection within its ``ConnectionBudget``.
actor CallSlots {
    private let limit: Int
    private var inFlight = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var budget: ConnectionBudget
    private let origin = ContinuousClock.now

    init(limit: Int, connections: Int) {
        self.limit = limit
        budget = ConnectionBudget(connections: connections)
    }

    /// Waits for a slot and a connection with room; returns the connection's index.
    func acquire() async -> Int {
        if inFlight < limit {
            inFlight += 1
        } else {
            await withCheckedContinuation { waiting.append($0) }
        }
        // The slot stays held while the call waits for a connection with room.
        while true {
            let now = self.now
            if let connection = budget.take(now: now) { return connection }
            let wait = (budget.roomAt ?? now) - now
            try? await Task.sleep(for: max(wait, .milliseconds(1)))
        }
    }

    /// Hands the slot to the oldest waiter, or frees it.
    func release() {
        if waiting.isEmpty {
            inFlight -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }

    private var now: Instant {
        Instant(nanoseconds: UInt64(max(0, (ContinuousClock.now - origin).nanoseconds)))
    }
}
