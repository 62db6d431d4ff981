import Basics
import Membership

/// The simulation's flight recorder: the last `capacity` lines in etcd's arrow format
/// (`t=1.250s a1->a2 ping seq=4`) and an FNV-1a 64 digest over every line ever written, so
/// two runs of one seed can be compared for byte-identical traces without storing them.
package struct SimTrace: Sendable {
    var ring: RingBuffer<String>
    package private(set) var lineCount = 0
    package private(set) var digest: UInt64 = 0xCBF2_9CE4_8422_2325

    package init(capacity: Int = 200) {
        ring = RingBuffer(capacity: capacity)
    }

    package var capacity: Int { ring.capacity }

    package mutating func append(_ line: String) {
        for byte in line.utf8 {
            digest ^= UInt64(byte)
            digest &*= 0x0000_0100_0000_01B3
        }
        digest ^= 0x0A
        digest &*= 0x0000_0100_0000_01B3
        lineCount += 1
        ring.append(line)
    }

    /// The retained lines, oldest first.
    package var lines: [String] {
        ring.elements
    }

    package var text: String { lines.joined(separator: "\n") }

    /// `ping seq=4 g=2`: the message kind, its key fields and the piggyback count.
    package static func describe(_ envelope: Membership.Envelope) -> String {
        let gossip = envelope.gossip.isEmpty ? "" : " g=\(envelope.gossip.count)"
        switch envelope.message {
        case let .ping(sequence): return "ping seq=\(sequence)\(gossip)"
        case let .ack(sequence): return "ack seq=\(sequence)\(gossip)"
        case let .nack(sequence): return "nack seq=\(sequence)\(gossip)"
        case let .pingRequest(sequence, target, _): return "ping-req seq=\(sequence) target=\(target)\(gossip)"
        case let .pushPull(members, isReply): return "push-pull\(isReply ? "-reply" : "") members=\(members.count)\(gossip)"
        }
    }
}
