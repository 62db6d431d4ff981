import AgentCore
import Basics
import Consensus
import SwiftProtobuf
import Wire

/// Conversions between ``AgentCore/LeaseMessage`` and the generated lease messages. A lease
/// message from a stranger decides when pods may run, so decoding is as strict as Raft's.
extension LeaseMessage {
    init(_ proto: Ordinal_Wire_V1_LeaseRequest, path: @autoclosure () -> String) throws(Wire.DecodeError) {
        let (from, to) = try NodeID.ends(proto.from, proto.to, path: path())
        self = .request(from: from, to: to, sequence: try Self.sequence(proto.sequence, path: "\(path()).sequence"))
    }

    init(_ proto: Ordinal_Wire_V1_LeaseGrant, path: @autoclosure () -> String) throws(Wire.DecodeError) {
        let (from, to) = try NodeID.ends(proto.from, proto.to, path: path())
        self = .grant(
            from: from, to: to,
            sequence: try Self.sequence(proto.sequence, path: "\(path()).sequence"),
            term: try Raft.term(proto.term, path: "\(path()).term"),
            readIndex: try Raft.bounded(proto.readIndex, path: "\(path()).read_index")
        )
    }


    private static func sequence(_ value: UInt64, path: @autoclosure () -> String) throws(Wire.DecodeError) -> UInt64 {
        guard value != 0 else { throw .invalidField(path: path(), reason: "0") }
        return value
    }
}

extension Wire.Payload {
    static func lease(_ message: LeaseMessage) throws -> Wire.Payload {
        switch message {
        case let .request(from, to, sequence):
            return try Wire.Payload(.leaseRequest, Ordinal_Wire_V1_LeaseRequest.with {
                $0.from = from.name
                $0.to = to.name
                $0.sequence = sequence
            })
        case let .grant(from, to, sequence, term, readIndex):
            return try Wire.Payload(.leaseGrant, Ordinal_Wire_V1_LeaseGrant.with {
                $0.from = from.name
                $0.to = to.name
                $0.sequence = sequence
                $0.term = term
                $0.readIndex = readIndex
            })
        }
    }
}

extension Wire.MessageKinds where M == CorePeerMessage {
    /// Pod leases: the renewal request and the grant.
    mutating func registerLease() {
        register(.leaseRequest, as: Ordinal_Wire_V1_LeaseRequest.self) { proto, path throws(Wire.DecodeError) in
            .lease(try LeaseMessage(proto, path: path))
        }
        register(.leaseGrant, as: Ordinal_Wire_V1_LeaseGrant.self) { proto, path throws(Wire.DecodeError) in
            .lease(try LeaseMessage(proto, path: path))
        }
    }
}
