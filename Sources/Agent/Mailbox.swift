import Dispatch
import Synchronization

/// A many-producer, one-consumer queue whose consumer takes everything waiting at once.
///
/// Taking the whole backlog is what batches work: messages and proposals that arrive while
/// the driver is busy (an fsync, say) are handled together and share one persist. The
/// consumer is a thread of its own that blocks in ``wait()``: the driver's fsyncs then never
/// hold one of the few threads Swift's concurrency pool runs everything else on.
final class Mailbox<Item: Sendable>: Sendable {
    private let items = Mutex<(queue: [Item], bytes: Int, finished: Bool)>(([], 0, false))
    /// Signalled once per run of posts the consumer has not yet woken for (``rung``).
    private let wake = DispatchSemaphore(value: 0)
    private let rung = Atomic<Bool>(false)
    /// Beyond this many waiting items, or this many bytes of them, new ones are dropped: a
    /// flood (of many small messages or a few large ones) cannot exhaust memory.
    private let capacity: Int
    private let maxBytes: Int
    private let weight: @Sendable (Item) -> Int

    /// - Parameter weight: about how many bytes an item holds.
    init(capacity: Int = 65_536, maxBytes: Int = 256 << 20, weight: @escaping @Sendable (Item) -> Int = { _ in 0 }) {
        self.capacity = capacity
        self.maxBytes = maxBytes
        self.weight = weight
    }

    /// Queues an item; `false` when the mailbox is full and the item was dropped.
    @discardableResult
    func post(_ item: Item) -> Bool {
        post(contentsOf: [item]) == 1
    }

    /// Queues items in order with one lock and one ring; those beyond the capacity are
    /// dropped. Returns how many were accepted.
    @discardableResult
    func post(contentsOf batch: [Item]) -> Int {
        let weights = batch.map(weight)
        let accepted = items.withLock { items in
            var accepted = 0
            for (item, bytes) in zip(batch, weights) {
                guard items.queue.count < capacity, items.bytes + bytes <= maxBytes else { break }
                items.queue.append(item)
                items.bytes += bytes
                accepted += 1
            }
            return accepted
        }
        if accepted > 0 { ring() }
        return accepted
    }

    /// Blocks until something was posted since the last wait (several posts may wake it
    /// once), or the mailbox is finished; false once it is finished and empty.
    func wait() -> Bool {
        // Once finished it no longer blocks: what is left is taken, then the answer is false.
        if let left = items.withLock({ $0.finished ? !$0.queue.isEmpty : nil }) { return left }
        wake.wait()
        rung.store(false, ordering: .sequentiallyConsistent)
        return items.withLock { !($0.finished && $0.queue.isEmpty) }
    }

    private func ring() {
        if !rung.exchange(true, ordering: .sequentiallyConsistent) { wake.signal() }
    }

    /// Everything posted since the last call, in order.
    func takeAll() -> [Item] {
        items.withLock { items in
            let batch = items.queue
            items.queue.removeAll(keepingCapacity: true)
            items.bytes = 0
            return batch
        }
    }

    /// Ends the consumer's waits: the next ``wait()`` returns false once the mailbox is empty.
    func finish() {
        items.withLock { $0.finished = true }
        wake.signal()
    }
}
