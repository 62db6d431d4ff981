/// The reply a rate-limited query gets on a slip (``RateLimitDecision/slip``): its ID and
/// question, QR and TC set, no records, so the client retries over TCP, where it cannot be
/// spoofed. Built from the query's bytes without decoding them (and far smaller than they
/// are, so a slip amplifies nothing).
enum SlipReply {
    /// Nil when `query` is not a query with a question this can copy.
    static func make<Bytes: RandomAccessCollection>(for query: Bytes) -> [UInt8]? where Bytes.Element == UInt8, Bytes.Index == Int {
        guard query.count >= 12 else { return nil }
        let header = Array(query.prefix(12))
        guard header[2] & 0x80 == 0, header[4] == 0, header[5] == 1,
              let end = DNSMetrics.questionEnd(of: query) else { return nil }
        var reply = header
        reply[2] = 0x80 | (header[2] & 0x79) | 0x02  // QR, the query's opcode and RD, TC
        reply[3] = 0  // RA clear, NOERROR
        for index in 6..<12 { reply[index] = 0 }  // no answer, authority or additional records
        reply += query[query.startIndex + 12 ..< end]
        return reply
    }
}
