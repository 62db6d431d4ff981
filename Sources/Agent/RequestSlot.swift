import Synchronization

/// The latest request of one kind the node made of a shell task (a controller pass, a pod
/// pass), merged with any the task has not taken yet: the task always works from the
/// newest, and never falls behind a queue of stale ones.
final class RequestSlot<Request: Sendable>: Sendable {
    private let slot = Mutex<Request?>(nil)
    private let bell = Doorbell()
    private let merge: @Sendable (Request, Request) -> Request

    /// - Parameter merge: combines a waiting request with a newer one.
    init(merge: @escaping @Sendable (_ waiting: Request, _ newer: Request) -> Request = { _, newer in newer }) {
        self.merge = merge
    }

    func post(_ request: Request) {
        slot.withLock { waiting in waiting = waiting.map { merge($0, request) } ?? request }
        bell.ring()
    }

    /// Each request as the task gets to it, until ``finish()``.
    var requests: AsyncCompactMapSequence<AsyncStream<Void>, Request> {
        bell.rings.compactMap { [self] in take() }
    }

    private func take() -> Request? {
        slot.withLock { waiting in
            defer { waiting = nil }
            return waiting
        }
    }

    func finish() {
        bell.finish()
    }
}
