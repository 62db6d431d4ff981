import SwiftProtobuf
import Wire

/// A generated message one of the agent's kinds carries.
protocol PeerProto: SwiftProtobuf.Message {}

extension PeerProto {
    /// Parses hostile bytes, ignoring fields this build does not know.
    static func parse(_ bytes: [UInt8]) throws(Wire.DecodeError) -> Self {
        var options = BinaryDecodingOptions()
        options.discardUnknownFields = true
        do {
            return try Self(serializedBytes: bytes, options: options)
        } catch {
            throw .unparseable(reason: String(describing: error))
        }
    }
}

extension Ordinal_Wire_V1_GossipEnvelope: PeerProto {}
extension Ordinal_Wire_V1_RaftMessage: PeerProto {}
extension Ordinal_Wire_V1_LeaseRequest: PeerProto {}
extension Ordinal_Wire_V1_LeaseGrant: PeerProto {}
extension Ordinal_Wire_V1_ForwardPropose: PeerProto {}
extension Ordinal_Wire_V1_ForwardRefused: PeerProto {}
extension Ordinal_Wire_V1_LogRequest: PeerProto {}
extension Ordinal_Wire_V1_LogChunk: PeerProto {}
extension Ordinal_Wire_V1_LogCancel: PeerProto {}
extension Ordinal_Wire_V1_Hello: PeerProto {}
extension Ordinal_Wire_V1_KeyringRequest: PeerProto {}
extension Ordinal_Wire_V1_KeyringResponse: PeerProto {}
extension Ordinal_Wire_V1_VolumeChunk: PeerProto {}
extension Ordinal_Wire_V1_VolumeAck: PeerProto {}
