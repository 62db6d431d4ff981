import Basics

/// A virtual-time priority queue: a binary min-heap keyed by `(time, sequence)`, so events
/// due at the same instant come out in insertion order, never in hash order.
package struct EventQueue<Element: Sendable>: Sendable {
    struct Entry: Sendable {
        var time: Instant
        var sequence: UInt64
        var element: Element

        func precedes(_ other: Entry) -> Bool {
            time != other.time ? time < other.time : sequence < other.sequence
        }
    }

    var heap: [Entry] = []
    var nextSequence: UInt64 = 0

    package init() {}

    package var count: Int { heap.count }
    package var isEmpty: Bool { heap.isEmpty }
    package var nextTime: Instant? { heap.first?.time }

    package mutating func push(_ element: Element, at time: Instant) {
        heap.append(Entry(time: time, sequence: nextSequence, element: element))
        nextSequence += 1
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    package mutating func pop() -> (time: Instant, element: Element)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].precedes(heap[smallest]) { smallest = left }
            if right < heap.count, heap[right].precedes(heap[smallest]) { smallest = right }
            guard smallest != parent else { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return (top.time, top.element)
    }
}

extension EventQueue {
    /// Schedules at a raw nanosecond time, for simulations that keep time as `UInt64`.
    package mutating func schedule(_ element: Element, at nanoseconds: UInt64) {
        push(element, at: Instant(nanoseconds: nanoseconds))
    }
}
