/// At most `limit` calls in flight to the runtime; the rest wait their turn in order. A burst
/// of pod starts (a Parallel StatefulSet of hundreds) otherwise opens as many concurrent
/// streams, which containerd serves no faster on a few cores, and under which the shared
/// HTTP/2 connection has been seen to drop streams (`unavailable: Stream unexpectedly closed`)
/// while containerd went on creating the sandboxes they asked for.
actor CallSlots {
    private let limit: Int
    private var inFlight = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) {
        self.limit = limit
    }

    func acquire() async {
        if inFlight < limit {
            inFlight += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Hands the slot to the oldest waiter, or frees it.
    func release() {
        if waiting.isEmpty {
            inFlight -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
