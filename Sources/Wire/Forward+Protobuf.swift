import AgentCore
import Basics
import SwiftProtobuf
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Conversions between ``AgentCore/ForwardMessage`` and the generated forwarding messages.
/// A forwarded proposal becomes a log entry that names its proposer, so names are held to
/// what that entry can carry.
extension ForwardMessage {
    /// The longest proposer name an entry carries (``AgentCore/ForwardedEntry``).
    static let maxNameBytes = 255
    /// The longest refusal reason kept; a longer one is cut, not refused.
    static let maxReasonBytes = 1_024

    init(_ proto: Ordinal_Wire_V1_ForwardPropose, path: @autoclosure () -> String) throws(Wire.DecodeError) {
        let (from, to) = try Self.ends(proto.from, proto.to, path: path())
        self = .propose(from: from, to: to, id: proto.id, data: Array(proto.data))
    }

    init(_ proto: Ordinal_Wire_V1_ForwardRefused, path: @autoclosure () -> String) throws(Wire.DecodeError) {
        let (from, to) = try Self.ends(proto.from, proto.to, path: path())
        let reason = String(decoding: proto.reason.utf8.prefix(Self.maxReasonBytes), as: UTF8.self)
        self = .refused(from: from, to: to, id: proto.id, notLeader: proto.notLeader, reason: reason)
    }

    private static func ends(_ from: String, _ to: String, path: @autoclosure () -> String) throws(Wire.DecodeError) -> (NodeID, NodeID) {
        guard from.utf8.count <= maxNameBytes else { throw .invalidField(path: "\(path()).from", reason: "longer than \(maxNameBytes) bytes") }
        let sender = try NodeID(from, path: "\(path()).from")
        let receiver = try NodeID(to, path: "\(path()).to")
        guard sender != receiver else { throw .invalidField(path: "\(path()).to", reason: "same as from") }
        return (sender, receiver)
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
