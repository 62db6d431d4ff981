import Basics
import Synchronization

extension Wire {
    /// What a sealed body carries before the message: the sender's name and a stamp, both
    /// under the key's authentication. `[u8 name length][name][u64 stamp, big-endian]`.
    ///
    /// The stamp is the sender's wall clock in microseconds, made strictly increasing
    /// (``StampClock``), so a receiver can drop a frame it has seen (``ReplayGuard``) and one
    /// from outside its time window, and can check that the message inside speaks for the
    /// agent that sealed it.
    package struct SealedHeader: Sendable, Hashable {
        package var sender: NodeID
        package var stamp: UInt64

        package init(sender: NodeID, stamp: UInt64) {
            self.sender = sender
            self.stamp = stamp
        }

        func encoded() -> [UInt8] {
            let name = Array(sender.name.utf8.prefix(Int(UInt8.max)))
            var bytes = [UInt8(name.count)] + name
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: stamp >> UInt64(shift))) }
            return bytes
        }

        /// The header and the bytes after it.
        static func decode(_ bytes: [UInt8]) throws(Wire.DecodeError) -> (SealedHeader, ArraySlice<UInt8>) {
            guard let length = bytes.first.map(Int.init), bytes.count >= 1 + length + 8 else {
                throw .invalidField(path: "sealed_header", reason: "too short")
            }
            let name = bytes[1 ..< 1 + length]
            guard let text = String(validating: name, as: UTF8.self) else {
                throw .invalidField(path: "sealed_header.sender", reason: "not UTF-8")
            }
            let stamp = bytes[1 + length ..< 1 + length + 8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            return (SealedHeader(sender: NodeID(text), stamp: stamp), bytes[(1 + length + 8)...])
        }
    }

    /// This agent's stamps: its wall clock in microseconds, one more than the last stamp
    /// when the clock has not moved on (or stepped back), so no two frames share a stamp.
    package final class StampClock: Sendable {
        private let last = Mutex<UInt64>(0)
        private let wallMicros: @Sendable () -> UInt64

        package init(wallMicros: @escaping @Sendable () -> UInt64) {
            self.wallMicros = wallMicros
        }

        package func next() -> UInt64 {
            let now = wallMicros()
            return last.withLock { last in
                last = max(now, last + 1)
                return last
            }
        }
    }

    /// Drops sealed frames this agent has already taken, and frames stamped too far from its
    /// own clock (a recording replayed after the window, or a sender whose clock is wrong).
    ///
    /// Per sender it keeps the highest stamp and every stamp seen within ``reorderWindow``
    /// below it: frames from one sender may arrive slightly out of order (two links, a
    /// reconnect), so a stamp below the highest is still taken once if it is inside the
    /// window. Memory is bounded: at most ``maxSenders`` senders, and per sender the stamps
    /// of one window (pruned as the highest moves).
    package final class ReplayGuard: Sendable {
        /// How far a stamp may be from this agent's clock (clocks of a cluster must agree to
        /// within this; NTP keeps them within milliseconds).
        package static let clockWindow: UInt64 = 30_000_000
        /// How far below a sender's highest stamp a frame is still taken (once).
        package static let reorderWindow: UInt64 = 2_000_000
        package static let maxSenders = 4_096

        private struct Seen {
            var highest: UInt64
            var stamps: Set<UInt64>
            var sincePrune = 0
        }

        private let senders = Mutex<[NodeID: Seen]>([:])
        private let wallMicros: @Sendable () -> UInt64

        package init(wallMicros: @escaping @Sendable () -> UInt64) {
            self.wallMicros = wallMicros
        }

        /// - Throws: ``DecodeError/replayed(_:)`` when the frame must be dropped.
        package func admit(_ header: SealedHeader) throws(Wire.DecodeError) {
            let now = wallMicros()
            let distance = header.stamp > now ? header.stamp - now : now - header.stamp
            guard distance <= Self.clockWindow else {
                throw .replayed("stamped \(distance / 1_000_000) s away from this agent's clock")
            }
            let verdict: String? = senders.withLock { senders in
                guard var seen = senders[header.sender] else {
                    if senders.count >= Self.maxSenders { senders.removeAll(keepingCapacity: true) }
                    senders[header.sender] = Seen(highest: header.stamp, stamps: [header.stamp])
                    return nil
                }
                if header.stamp + Self.reorderWindow <= seen.highest { return "older than the reorder window" }
                guard seen.stamps.insert(header.stamp).inserted else { return "already taken" }
                if header.stamp > seen.highest { seen.highest = header.stamp }
                seen.sincePrune += 1
                if seen.sincePrune >= 1_024 {
                    seen.sincePrune = 0
                    let floor = seen.highest - min(seen.highest, Self.reorderWindow)
                    seen.stamps = seen.stamps.filter { $0 > floor }
                }
                senders[header.sender] = seen
                return nil
            }
            if let verdict { throw .replayed(verdict) }
        }
    }
}
