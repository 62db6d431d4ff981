import Basics

/// The bytes of a log entry proposed on behalf of another agent: a tag byte (`0x20`,
/// distinct from every state-machine command's tag), the proposer's name (length byte and
/// UTF-8), its proposal id (big-endian `UInt64`), then the command itself.
///
/// Naming the proposer in the entry makes forwarding exactly-once across a change of
/// leader: the proposer sees its entry committed when it applies it, and a new leader
/// asked again finds the entry in its own log (Raft §5.4: it holds every committed entry,
/// and one it lacks can never commit) instead of proposing it twice.
package enum ForwardedEntry {
    static let tag: UInt8 = 0x20

    package static func encode(origin: NodeID, id: UInt64, command: [UInt8]) -> [UInt8] {
        let name = Array(origin.name.utf8.prefix(255))
        var bytes: [UInt8] = [tag, UInt8(name.count)]
        bytes.reserveCapacity(2 + name.count + 8 + command.count)
        bytes += name
        withUnsafeBytes(of: id.bigEndian) { bytes += $0 }
        bytes += command
        return bytes
    }

    /// The proposer, its id and the command; nil for an entry that is not forwarded or is
    /// cut short.
    package static func decode(_ bytes: [UInt8]) -> (origin: NodeID, id: UInt64, command: ArraySlice<UInt8>)? {
        guard bytes.count >= 2, bytes[0] == tag else { return nil }
        let length = Int(bytes[1])
        guard bytes.count >= 2 + length + 8 else { return nil }
        let name = String(decoding: bytes[2 ..< 2 + length], as: UTF8.self)
        let id = bytes[2 + length ..< 2 + length + 8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return (NodeID(name), id, bytes[(2 + length + 8)...])
    }
}
