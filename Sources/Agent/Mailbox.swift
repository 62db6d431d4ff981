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
