import AgentCore
import Basics
import SwiftProtobuf
import Wire
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Conversions between ``AgentCore/VolumeMessage`` and the generated volume messages. A
/// volume name is a PersistentVolume name (at most 253 bytes), a chunk at most
/// ``maxChunkBytes``, a digest exactly 32 bytes.
extension VolumeMessage {
    package static let maxChunkBytes = 1 << 20
    static let maxNameBytes = 253
    static let maxErrorBytes = 1_024

    init(_ proto: Ordinal_Wire_V1_VolumeChunk, path: @autoclosure () -> String) throws(Wire.DecodeError) {
        let (from, to) = try NodeID.ends(proto.from, proto.to, path: path())
        try Self.check(volume: proto.volume, path: path())
        guard proto.data.count <= Self.maxChunkBytes else {
            throw .invalidField(path: "\(path()).data", reason: "more than \(Self.maxChunkBytes) bytes")
        }
        guard proto.digest.isEmpty || proto.digest.count == 32 else {
            throw .invalidField(path: "\(path()).digest", reason: "not 32 bytes")
        }
        self = .chunk(VolumeChunk(
            from: from, to: to, volume: proto.volume, transfer: proto.transfer, epoch: proto.epoch, generation: proto.generation,
            parent: proto.parent, snapshotUnixMillis: proto.snapshotUnixMillis, sequence: proto.sequence,
            data: Array(proto.data), digest: proto.digest.isEmpty ? nil : Array(proto.digest)
        ))
    }

    init(_ proto: Ordinal_Wire_V1_VolumeAck, path: @autoclosure () -> String) throws(Wire.DecodeError) {
        let (from, to) = try NodeID.ends(proto.from, proto.to, path: path())
        try Self.check(volume: proto.volume, path: path())
        let error = proto.error.isEmpty ? nil : String(decoding: proto.error.utf8.prefix(Self.maxErrorBytes), as: UTF8.self)
        self = .ack(VolumeAck(
            from: from, to: to, volume: proto.volume, transfer: proto.transfer, sequence: proto.sequence,
            applied: proto.hasApplied_p ? proto.applied : nil, error: error
        ))
    }

    /// A volume name that is a single path component: it names directories in the pool.
    private static func check(volume: String, path: String) throws(Wire.DecodeError) {
        guard !volume.isEmpty, volume.utf8.count <= maxNameBytes, volume != ".", volume != "..",
              volume.utf8.allSatisfy({ $0 != UInt8(ascii: "/") && $0 != 0 && $0 != UInt8(ascii: "@") })
        else { throw .invalidField(path: "\(path).volume", reason: "not a volume name") }
    }
}

extension Wire.Payload {
    static func volume(_ message: VolumeMessage) throws -> Wire.Payload {
        switch message {
        case .chunk(let chunk):
            return try Wire.Payload(.volumeChunk, Ordinal_Wire_V1_VolumeChunk.with {
                $0.from = chunk.from.name
                $0.to = chunk.to.name
                $0.volume = chunk.volume
                $0.transfer = chunk.transfer
                $0.epoch = chunk.epoch
                $0.generation = chunk.generation
                $0.parent = chunk.parent
                $0.snapshotUnixMillis = chunk.snapshotUnixMillis
                $0.sequence = chunk.sequence
                $0.data = Data(chunk.data)
                $0.digest = Data(chunk.digest ?? [])
            })
        case .ack(let ack):
            return try Wire.Payload(.volumeAck, Ordinal_Wire_V1_VolumeAck.with {
                $0.from = ack.from.name
                $0.to = ack.to.name
                $0.volume = ack.volume
                $0.transfer = ack.transfer
                $0.sequence = ack.sequence
                $0.hasApplied_p = ack.applied != nil
                $0.applied = ack.applied ?? 0
                $0.error = ack.error ?? ""
            })
        }
    }
}

extension Wire.MessageKinds where M == CorePeerMessage {
    /// Volume replication: the snapshot stream's chunks and the copy's acks.
    mutating func registerVolume() {
        register(.volumeChunk, as: Ordinal_Wire_V1_VolumeChunk.self) { proto, path throws(Wire.DecodeError) in
            .volume(try VolumeMessage(proto, path: path))
        }
        register(.volumeAck, as: Ordinal_Wire_V1_VolumeAck.self) { proto, path throws(Wire.DecodeError) in
            .volume(try VolumeMessage(proto, path: path))
        }
    }
}
