import Basics
import Consensus

/// The run's trace: every event feeds a 64-bit FNV-1a digest (so two runs of one seed can be
/// compared byte for byte), and the last lines are kept for the failure report. Lines are
/// built lazily from stored values, which keeps debug-build runs fast.
package struct RaftSimTrace: Sendable {
    package enum Line: Sendable {
        case message(time: UInt64, Raft.Message, note: String)
        case note(time: UInt64, String)
    }

    package private(set) var digest: UInt64 = 0xCBF2_9CE4_8422_2325
    package private(set) var count = 0
    private var ring: RingBuffer<Line>

    package init(capacity: Int = 200) {
        ring = RingBuffer(capacity: capacity)
    }

    package mutating func record(_ line: Line) {
        count += 1
        switch line {
        case .message(let time, let m, let note):
            mix(time)
            mix(RaftSimTrace.code(m.from.name))
            mix(RaftSimTrace.code(m.to.name))
            mix(m.term)
            mix(RaftSimTrace.payloadWords(m.payload))
            mix(RaftSimTrace.code(note))
        case .note(let time, let text):
            mix(time)
            mix(RaftSimTrace.code(text))
        }
        ring.append(line)
    }

    /// The kept lines in etcd's arrow format, oldest first.
    package var lastLines: [String] {
        return ring.elements.map { line in
            switch line {
            case .message(let time, let m, let note):
                return "t=\(Instant(nanoseconds: time)) \(m)\(note.isEmpty ? "" : " [\(note)]")"
            case .note(let time, let text):
                return "t=\(Instant(nanoseconds: time)) \(text)"
            }
        }
    }

    private mutating func mix(_ word: UInt64) {
        var w = word
        for _ in 0 ..< 8 {
            digest ^= w & 0xFF
            digest = digest &* 0x0000_0100_0000_01B3
            w >>= 8
        }
    }

    /// A process-independent code for a string (FNV-1a over its UTF-8).
    static func code(_ text: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }

    private static func payloadWords(_ payload: Raft.Message.Payload) -> UInt64 {
        switch payload {
        case .preVote(let r): return 1 &+ r.lastIndex &* 31 &+ r.lastTerm &* 1009
        case .preVoteResponse(let g): return g ? 2 : 3
        case .vote(let r): return 4 &+ r.lastIndex &* 31 &+ r.lastTerm &* 1009 &+ (r.leadershipTransfer ? 7 : 0)
        case .voteResponse(let g): return g ? 5 : 6
        case .append(let a):
            return 8 &+ a.prevIndex &* 31 &+ a.prevTerm &* 1009 &+ UInt64(a.entries.count) &* 65_537 &+ a.commit &* 7919
        case .appendResponse(let r):
            return 9 &+ r.index &* 31 &+ (r.rejection.map { $0.hintIndex &* 1009 &+ $0.hintTerm &* 7919 } ?? 0)
        case .heartbeat(let h): return 10 &+ h.commit &* 31 &+ h.readSequence &* 1009
        case .heartbeatResponse(let h): return 11 &+ h.readSequence &* 31
        case .snapshot(let s): return 12 &+ s.index &* 31 &+ s.term &* 1009
        case .timeoutNow: return 13
        }
    }
}
