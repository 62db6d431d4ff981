import Basics

extension Wire {
    /// What a sealed body carries before the message: the sender's name, the recipient's
    /// address and a stamp, all under the key's authentication.
    /// `[u8 name length][name][u8 recipient length][recipient][u64 stamp, big-endian]`.
    ///
    /// The stamp is the sender's wall clock in microseconds, made strictly increasing
    /// (``StampClock``), so a receiver can drop a frame it has seen (``ReplayGuard``) and one
    /// from outside its time window, and can check that the message inside speaks for the
    /// agent that sealed it.
    ///
    /// The recipient is the address the sending connection is connected to (`IP:port`,
    /// ``recipientText(host:port:)``), and a receiver takes a frame only on a connection
    /// whose local address is that one: a frame recorded on its way to one agent does not
    /// open for another, whose replay guard has never seen it. An address rather than a
    /// name because seeds are dialed before their names are known, and an address the
    /// kernel reports rather than one configured because it is the same at both ends of a
    /// connection whatever the agents were told (a `0.0.0.0` bind, a host name).
    package struct SealedHeader: Sendable, Hashable {
        package var sender: NodeID
        package var recipient: String
        package var stamp: UInt64

        package init(sender: NodeID, recipient: String, stamp: UInt64) {
            self.sender = sender
            self.recipient = recipient
            self.stamp = stamp
        }

        package func encoded() -> [UInt8] {
            let name = Array(sender.name.utf8.prefix(Int(UInt8.max)))
            let to = Array(recipient.utf8.prefix(Int(UInt8.max)))
            var bytes = [UInt8(name.count)] + name + [UInt8(to.count)] + to
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: stamp >> UInt64(shift))) }
            return bytes
        }

        /// The header and the bytes after it.
        static func decode(_ bytes: [UInt8]) throws(Wire.DecodeError) -> (SealedHeader, ArraySlice<UInt8>) {
            var offset = 0
            let sender = try text(bytes, at: &offset, field: "sender")
            let recipient = try text(bytes, at: &offset, field: "recipient")
            guard bytes.count >= offset + 8 else { throw .invalidField(path: "sealed_header", reason: "too short") }
            let stamp = bytes[offset ..< offset + 8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            return (SealedHeader(sender: NodeID(sender), recipient: recipient, stamp: stamp), bytes[(offset + 8)...])
        }

        /// A length-prefixed UTF-8 field at `offset`, which moves past it.
        private static func text(_ bytes: [UInt8], at offset: inout Int, field: String) throws(Wire.DecodeError) -> String {
            guard offset < bytes.count, bytes.count >= offset + 1 + Int(bytes[offset]) else {
                throw .invalidField(path: "sealed_header", reason: "too short")
            }
            let length = Int(bytes[offset])
            guard let text = String(validating: bytes[offset + 1 ..< offset + 1 + length], as: UTF8.self) else {
                throw .invalidField(path: "sealed_header.\(field)", reason: "not UTF-8")
            }
            offset += 1 + length
            return text
        }

        /// How a recipient is written: `IP:port`, an IPv6 address in brackets, and an
        /// IPv4-mapped IPv6 address (`::ffff:127.0.0.1`, a dual-stack socket's view of an IPv4
        /// peer) as the IPv4 address, so both ends of one connection write it alike.
        package static func recipientText(host: String, port: Int) -> String {
            let mapped = "::ffff:"
            if host.lowercased().hasPrefix(mapped), host.contains(".") { return "\(host.dropFirst(mapped.count)):\(port)" }
            return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }
}
