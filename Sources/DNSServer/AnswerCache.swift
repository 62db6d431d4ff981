import NIOCore

/// Replies by query, minus the 2-byte ID, valid for one generation of the zone data. A
/// reply depends only on the query's bytes and the data it is answered from, so a cached
/// reply with the new query's ID is exactly what the responder would build. Bounded: it
/// starts over when full or when the data changes.
struct AnswerCache {
    private let generation: DNSServer.Generation
    private var current: UInt64 = .max
    private var replies: [ArraySlice<UInt8>: [UInt8]] = [:]
    static let capacity = 16_384

    init(generation: @escaping DNSServer.Generation) {
        self.generation = generation
    }

    /// The reply to `query`, from the cache or from `compute` (nil: send nothing).
    mutating func reply(to query: ByteBufferView, computing compute: () -> [UInt8]?) -> [UInt8]? {
        guard query.count >= 12 else { return compute() }
        let now = generation()
        if now != current || replies.count >= Self.capacity {
            replies.removeAll(keepingCapacity: true)
            current = now
        }
        let key = ArraySlice(query.dropFirst(2))
        if var cached = replies[key] {
            cached[0] = query[query.startIndex]
            cached[1] = query[query.startIndex + 1]
            return cached
        }
        guard let reply = compute() else { return nil }
        if reply.count >= 12 { replies[key] = reply }
        return reply
    }
}
