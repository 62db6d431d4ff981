import AgentCore
import Basics
import SwiftProtobuf
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Conversions between ``AgentCore/ForwardMessage`` and the generated forwarding messages.
extension ForwardMessage {
    /// The longest refusal reason kept; a longer one is cut, not refused.
    static let maxReasonBytes = 1_024

    init(_ proto: Ordinal_Wire_V1_ForwardPropose, path: @autoclosure () -> String) throws(Wire.DecodeError) {
        let (from, to) = try NodeID.ends(proto.from, proto.to, path: path())
        self = .propose(from: from, to: to, id: proto.id, data: Array(proto.data))
    }

    init(_ proto: Ordinal_Wire_V1_ForwardRefused, path: @autoclosure () -> String) throws(Wire.DecodeError) {
        let (from, to) = try NodeID.ends(proto.from, proto.to, path: path())
        let reason = String(decoding: proto.reason.utf8.prefix(Self.maxReasonBytes), as: UTF8.self)
        self = .refused(from: from, to: to, id: proto.id, notLeader: proto.notLeader, reason: reason)
    }
}

extension Ordinal_Wire_V1_PeerFrame {
    mutating func setForward(_ message: ForwardMessage) {
        switch message {
        case let .propose(from, to, id, data):
            forwardPropose = .with {
                $0.from = from.name
                $0.to = to.name
                $0.id = id
                $0.data = Data(data)
            }
        case let .refused(from, to, id, notLeader, reason):
            forwardRefused = .with {
                $0.from = from.name
                $0.to = to.name
                $0.id = id
                $0.notLeader = notLeader
                $0.reason = reason
            }
        }
    }
}
