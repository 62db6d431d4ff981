import Basics

/// The two lease messages between an agent and the leader (carried by the peer wire).
package enum LeaseMessage: Sendable, Hashable {
    /// "Renew my lease": numbered so the grant can be matched to when it was sent.
    case request(from: NodeID, to: NodeID, sequence: UInt64)
    /// The leader confirmed its leadership with a quorum after the request arrived; its
    /// commit index then was `readIndex`.
    case grant(from: NodeID, to: NodeID, sequence: UInt64, term: UInt64, readIndex: UInt64)

    package var from: NodeID {
        switch self {
        case .request(let from, _, _), .grant(let from, _, _, _, _): from
        }
    }

    package var to: NodeID {
        switch self {
        case .request(_, let to, _), .grant(_, let to, _, _, _): to
        }
    }
}

/// The context of a Raft read that confirms a batch of lease requests: who asked, with
/// which sequence numbers. Tagged so a read for another purpose is never taken for one.
package enum LeaseReadContext {
    static let tag: UInt8 = 0x4C

    package static func encode(_ requests: [(node: NodeID, sequence: UInt64)]) -> [UInt8] {
        var bytes: [UInt8] = [tag]
        for request in requests {
            let name = Array(request.node.name.utf8)
            bytes.append(UInt8(clamping: name.count))
            bytes += name.prefix(255)
            withUnsafeBytes(of: request.sequence.bigEndian) { bytes += $0 }
        }
        return bytes
    }

    /// Nil for a context that is not a lease read or is cut short.
    package static func decode(_ bytes: [UInt8]) -> [(node: NodeID, sequence: UInt64)]? {
        guard bytes.first == tag else { return nil }
        var requests: [(node: NodeID, sequence: UInt64)] = []
        var at = 1
        while at < bytes.count {
            let length = Int(bytes[at])
            at += 1
            guard at + length + 8 <= bytes.count else { return nil }
            let name = String(decoding: bytes[at ..< at + length], as: UTF8.self)
            at += length
            let sequence = bytes[at ..< at + 8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            at += 8
            requests.append((NodeID(name), sequence))
        }
        return requests
    }
}
