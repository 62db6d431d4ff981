/// The last `capacity` items appended, oldest first: the simulations' flight recorders keep
/// their final trace lines in one.
package struct RingBuffer<Element: Sendable>: Sendable {
    package let capacity: Int
    private var storage: [Element] = []
    private var head = 0

    package init(capacity: Int) {
        precondition(capacity > 0, "a ring buffer needs room for at least one item, got \(capacity)")
        self.capacity = capacity
    }

    package mutating func append(_ element: Element) {
        if storage.count < capacity {
            storage.append(element)
        } else {
            storage[head] = element
            head = (head + 1) % capacity
        }
    }

    /// The kept items, oldest first.
    package var elements: [Element] {
        Array(storage[head...] + storage[..<head])
    }
}
