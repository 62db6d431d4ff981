import AgentCore
import Basics
import SwiftProtobuf
import Wire
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

extension LogMessage {
    /// Longest name part, uid, container name and error kept: as long as Kubernetes allows
    /// (a DNS subdomain is 253 bytes), and errors are cut, not refused.
    static let maxFieldBytes = 253
    static let maxErrorBytes = 1_024

    init(_ proto: Ordinal_Wire_V1_LogRequest, path: @autoclosure () -> String) throws(Wire.DecodeError) {
        let (from, to) = try NodeID.ends(proto.from, proto.to, path: path())
        for (field, value) in [("namespace", proto.namespace), ("pod", proto.pod), ("uid", proto.uid), ("container", proto.container)] {
            guard !value.isEmpty, value.utf8.count <= Self.maxFieldBytes else { throw .invalidField(path: "\(path()).\(field)", reason: "empty or longer than \(Self.maxFieldBytes) bytes") }
        }
        let target = Target(
            pod: ObjectKeyName(namespace: proto.namespace, name: proto.pod), uid: proto.uid, container: proto.container,
            tailLines: proto.hasTailLines_p ? proto.tailLines : nil, follow: proto.follow
        )
        self = .request(from: from, to: to, stream: proto.stream, target: target)
    }

    init(_ proto: Ordinal_Wire_V1_LogChunk, path: @autoclosure () -> String) throws(Wire.DecodeError) {
        let (from, to) = try NodeID.ends(proto.from, proto.to, path: path())
        let end: End? = !proto.end ? nil : proto.error.isEmpty ? .finished : .failed(String(decoding: proto.error.utf8.prefix(Self.maxErrorBytes), as: UTF8.self))
        self = .chunk(from: from, to: to, stream: proto.stream, sequence: proto.sequence, data: Array(proto.data), end: end)
    }

    init(_ proto: Ordinal_Wire_V1_LogCancel, path: @autoclosure () -> String) throws(Wire.DecodeError) {
        let (from, to) = try NodeID.ends(proto.from, proto.to, path: path())
        self = .cancel(from: from, to: to, stream: proto.stream)
    }
}

extension Wire.Payload {
    static func logs(_ message: LogMessage) throws -> Wire.Payload {
        switch message {
        case let .request(from, to, stream, target):
            return try Wire.Payload(.logRequest, Ordinal_Wire_V1_LogRequest.with {
                $0.from = from.name
                $0.to = to.name
                $0.stream = stream
                $0.namespace = target.pod.namespace
                $0.pod = target.pod.name
                $0.uid = target.uid
                $0.container = target.container
                $0.hasTailLines_p = target.tailLines != nil
                $0.tailLines = target.tailLines ?? 0
                $0.follow = target.follow
            })
        case let .chunk(from, to, stream, sequence, data, end):
            return try Wire.Payload(.logChunk, Ordinal_Wire_V1_LogChunk.with {
                $0.from = from.name
                $0.to = to.name
                $0.stream = stream
                $0.sequence = sequence
                $0.data = Data(data)
                $0.end = end != nil
                if case .failed(let reason)? = end { $0.error = reason.isEmpty ? "failed" : reason }
            })
        case let .cancel(from, to, stream):
            return try Wire.Payload(.logCancel, Ordinal_Wire_V1_LogCancel.with {
                $0.from = from.name
                $0.to = to.name
                $0.stream = stream
            })
        }
    }

    static func forward(_ message: ForwardMessage) throws -> Wire.Payload {
        switch message {
        case let .propose(from, to, id, data):
            return try Wire.Payload(.forwardPropose, Ordinal_Wire_V1_ForwardPropose.with {
                $0.from = from.name
                $0.to = to.name
                $0.id = id
                $0.data = Data(data)
            })
        case let .refused(from, to, id, notLeader, reason):
            return try Wire.Payload(.forwardRefused, Ordinal_Wire_V1_ForwardRefused.with {
                $0.from = from.name
                $0.to = to.name
                $0.id = id
                $0.notLeader = notLeader
                $0.reason = reason
            })
        }
    }
}

extension Wire.MessageKinds where M == CorePeerMessage {
    /// Proposal forwarding: the write handed to the leader and its refusal.
    mutating func registerForward() {
        register(.forwardPropose, as: Ordinal_Wire_V1_ForwardPropose.self) { proto, path throws(Wire.DecodeError) in
            .forward(try ForwardMessage(proto, path: path))
        }
        register(.forwardRefused, as: Ordinal_Wire_V1_ForwardRefused.self) { proto, path throws(Wire.DecodeError) in
            .forward(try ForwardMessage(proto, path: path))
        }
    }

    /// Log streaming: the request, the chunks and the cancel.
    mutating func registerLogs() {
        register(.logRequest, as: Ordinal_Wire_V1_LogRequest.self) { proto, path throws(Wire.DecodeError) in
            .logs(try LogMessage(proto, path: path))
        }
        register(.logChunk, as: Ordinal_Wire_V1_LogChunk.self) { proto, path throws(Wire.DecodeError) in
            .logs(try LogMessage(proto, path: path))
        }
        register(.logCancel, as: Ordinal_Wire_V1_LogCancel.self) { proto, path throws(Wire.DecodeError) in
            .logs(try LogMessage(proto, path: path))
        }
    }
}
