/// The appends sent to one follower and not yet acknowledged, by last index, bounding the
/// pipeline (etcd's `Inflights`). Small (at most `maxInflightMessages`), so an array does.
struct Inflights: Sendable, Hashable {
    let capacity: Int
    private(set) var lastIndices: [UInt64] = []

    init(capacity: Int) {
        self.capacity = capacity
    }

    var isFull: Bool { lastIndices.count >= capacity }
    var count: Int { lastIndices.count }

    mutating func add(_ lastIndex: UInt64) {
        precondition(!isFull, "inflights full: \(lastIndices.count) of \(capacity)")
        lastIndices.append(lastIndex)
    }

    /// Frees every append whose last index is at or below `index` (they are acknowledged).
    mutating func free(upTo index: UInt64) {
        lastIndices.removeAll { $0 <= index }
    }

    /// Frees the oldest, so a lost acknowledgement cannot stall the pipeline forever.
    mutating func freeFirst() {
        if !lastIndices.isEmpty { lastIndices.removeFirst() }
    }

    mutating func reset() {
        lastIndices.removeAll()
    }
}
