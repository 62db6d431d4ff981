import Synchronization

/// A many-producer, one-consumer queue whose consumer takes everything waiting at once.
///
/// Taking the whole backlog is what batches work: messages and proposals that arrive while
/// the driver is busy (an fsync, say) are handled together and share one persist.
final class Mailbox<Item: Sendable>: Sendable {
    private let items = Mutex<[Item]>([])
    private let bell = Doorbell()
    /// Beyond this many waiting items, new ones are dropped: a flood cannot exhaust memory.
    private let capacity: Int

    init(capacity: Int = 65_536) {
        self.capacity = capacity
    }

    /// Queues an item; `false` when the mailbox is full and the item was dropped.
    @discardableResult
    func post(_ item: Item) -> Bool {
        let accepted = items.withLock { queue in
            guard queue.count < capacity else { return false }
            queue.append(item)
            return true
        }
        if accepted { bell.ring() }
        return accepted
    }

    /// Queues items in order with one lock and one ring; those beyond the capacity are
    /// dropped. Returns how many were accepted.
    @discardableResult
    func post(contentsOf batch: [Item]) -> Int {
        let accepted = items.withLock { queue in
            let room = max(0, capacity - queue.count)
            queue.append(contentsOf: batch.prefix(room))
            return min(room, batch.count)
        }
        if accepted > 0 { bell.ring() }
        return accepted
    }

    /// Rings after items were posted (several posts may ring once), until ``finish()``.
    var doorbell: AsyncStream<Void> { bell.rings }

    /// Everything posted since the last call, in order.
    func takeAll() -> [Item] {
        items.withLock { queue in
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            return batch
        }
    }

    func finish() {
        bell.finish()
    }
}
