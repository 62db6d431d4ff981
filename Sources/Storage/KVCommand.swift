/// A command of the replicated key-value test state machine (``ReplicatedStateMachine``),
/// carried as the data of a `.normal` Raft entry.
///
/// Encoding (big-endian): one tag byte, then fields each a `UInt32` length and bytes.
/// - `0x01 put`: key (UTF-8), value
/// - `0x02 delete`: key (UTF-8)
package enum KVCommand: Hashable, Sendable {
    case put(key: String, value: [UInt8])
    case delete(key: String)

    private static let putTag: UInt8 = 0x01
    private static let deleteTag: UInt8 = 0x02

    package var key: String {
        switch self {
        case .put(let key, _), .delete(let key): key
        }
    }

    package var encoded: [UInt8] {
        var writer = ByteWriter()
        switch self {
        case .put(let key, let value):
            writer.write(Self.putTag)
            writer.writeField(Array(key.utf8))
            writer.writeField(value)
        case .delete(let key):
            writer.write(Self.deleteTag)
            writer.writeField(Array(key.utf8))
        }
        return writer.bytes
    }

    /// Decodes ``encoded``. Entry data comes from the network and the disk, so anything
    /// malformed (unknown tag, short field, invalid UTF-8, trailing bytes) throws, never traps.
    package init(decoding bytes: [UInt8]) throws(KVCodingError) {
        var reader = ByteReader(bytes)
        switch try reader.readByte() {
        case Self.putTag:
            let key = try reader.readString()
            self = .put(key: key, value: try reader.readField())
        case Self.deleteTag:
            self = .delete(key: try reader.readString())
        case let tag:
            throw KVCodingError(offset: 0, reason: "unknown command tag \(tag)")
        }
        try reader.expectEnd()
    }
}
