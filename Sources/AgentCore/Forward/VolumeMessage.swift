import Basics

/// A replicated volume's snapshot shipped from its primary to one of its copies
/// (`docs/storage.md`): the bytes of one `btrfs send` stream in order, each chunk
/// acknowledged, the last one carrying the SHA-256 of the whole stream. The shell handles
/// these; no core decision depends on them.
package enum VolumeMessage: Sendable, Hashable {
    case chunk(VolumeChunk)
    case ack(VolumeAck)

    package var from: NodeID {
        switch self {
        case .chunk(let chunk): chunk.from
        case .ack(let ack): ack.from
        }
    }

    package var to: NodeID {
        switch self {
        case .chunk(let chunk): chunk.to
        case .ack(let ack): ack.to
        }
    }
}

/// Part `sequence` of transfer `transfer` of snapshot `(epoch, generation)` of `volume`,
/// sent as an increment over snapshot `parent` of the same epoch (0: the whole volume).
package struct VolumeChunk: Sendable, Hashable {
    package var from: NodeID
    package var to: NodeID
    package var volume: String
    package var transfer: UInt64
    package var epoch: UInt64
    package var generation: UInt64
    package var parent: UInt64
    /// When the primary took the snapshot, Unix milliseconds.
    package var snapshotUnixMillis: Int64
    package var sequence: UInt64
    package var data: [UInt8]
    /// Set on the last chunk, with the SHA-256 of every byte of the stream.
    package var digest: [UInt8]?

    package init(
        from: NodeID, to: NodeID, volume: String, transfer: UInt64, epoch: UInt64, generation: UInt64, parent: UInt64,
        snapshotUnixMillis: Int64, sequence: UInt64, data: [UInt8], digest: [UInt8]?
    ) {
        self.from = from
        self.to = to
        self.volume = volume
        self.transfer = transfer
        self.epoch = epoch
        self.generation = generation
        self.parent = parent
        self.snapshotUnixMillis = snapshotUnixMillis
        self.sequence = sequence
        self.data = data
        self.digest = digest
    }
}

/// A copy's answer to a chunk: taken (`sequence`), or the whole snapshot applied
/// (`applied`, after the last chunk), or refused with `error` (the transfer is over).
package struct VolumeAck: Sendable, Hashable {
    package var from: NodeID
    package var to: NodeID
    package var volume: String
    package var transfer: UInt64
    package var sequence: UInt64
    /// The generation of the whole snapshot now held, once the last chunk is applied.
    package var applied: UInt64?
    package var error: String?

    package init(from: NodeID, to: NodeID, volume: String, transfer: UInt64, sequence: UInt64, applied: UInt64? = nil, error: String? = nil) {
        self.from = from
        self.to = to
        self.volume = volume
        self.transfer = transfer
        self.sequence = sequence
        self.applied = applied
        self.error = error
    }
}
