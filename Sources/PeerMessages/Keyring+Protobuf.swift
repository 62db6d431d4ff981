import AgentCore
import Basics
import SwiftProtobuf
import Wire
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Conversions between ``AgentCore/KeyringMessage`` and the generated keyring messages.
/// Keys and their digests must be exactly 32 bytes, and an answer carries at most
/// ``Wire/Keyring/maxKeys`` digests.
extension KeyringMessage {
    static let maxErrorBytes = 1_024

    init(_ proto: Ordinal_Wire_V1_KeyringRequest, path: @autoclosure () -> String) throws(Wire.DecodeError) {
        let (from, to) = try NodeID.ends(proto.from, proto.to, path: path())
        let key = Array(proto.key)
        let operation: KeyringOperation
        switch proto.op {
        case .list: operation = .list
        case .install: operation = .install(key: key)
        case .use: operation = .use(key: key)
        case .remove: operation = .remove(key: key)
        case .unspecified, .UNRECOGNIZED:
            throw .invalidField(path: "\(path()).op", reason: "unknown keyring operation")
        }
        if operation.key != nil, key.count != Wire.Sealer.keyByteCount {
            throw .invalidField(path: "\(path()).key", reason: "not \(Wire.Sealer.keyByteCount) bytes")
        }
        self = .request(from: from, to: to, id: proto.id, operation: operation)
    }

    init(_ proto: Ordinal_Wire_V1_KeyringResponse, path: @autoclosure () -> String) throws(Wire.DecodeError) {
        let (from, to) = try NodeID.ends(proto.from, proto.to, path: path())
        guard proto.keyDigests.count <= Wire.Keyring.maxKeys, proto.keyDigests.allSatisfy({ $0.count == Wire.Keyring.digestByteCount }) else {
            throw .invalidField(path: "\(path()).key_digests", reason: "more than \(Wire.Keyring.maxKeys), or one not \(Wire.Keyring.digestByteCount) bytes")
        }
        let error = proto.error.isEmpty ? nil : String(decoding: proto.error.utf8.prefix(Self.maxErrorBytes), as: UTF8.self)
        self = .response(from: from, to: to, id: proto.id, keyDigests: proto.keyDigests.map(Array.init), error: error)
    }
}

extension Wire.Payload {
    static func keyring(_ message: KeyringMessage) throws -> Wire.Payload {
        switch message {
        case let .request(from, to, id, operation):
            return try Wire.Payload(.keyringRequest, Ordinal_Wire_V1_KeyringRequest.with {
                $0.from = from.name
                $0.to = to.name
                $0.id = id
                switch operation {
                case .list: $0.op = .list
                case .install: $0.op = .install
                case .use: $0.op = .use
                case .remove: $0.op = .remove
                }
                $0.key = Data(operation.key ?? [])
            })
        case let .response(from, to, id, digests, error):
            return try Wire.Payload(.keyringResponse, Ordinal_Wire_V1_KeyringResponse.with {
                $0.from = from.name
                $0.to = to.name
                $0.id = id
                $0.keyDigests = digests.map { Data($0) }
                $0.error = error ?? ""
            })
        }
    }
}

extension Wire.MessageKinds where M == CorePeerMessage {
    /// Keyring rotation: the fanned-out operation and each agent's answer.
    mutating func registerKeyring() {
        register(.keyringRequest, as: Ordinal_Wire_V1_KeyringRequest.self) { proto, path throws(Wire.DecodeError) in
            .keyring(try KeyringMessage(proto, path: path))
        }
        register(.keyringResponse, as: Ordinal_Wire_V1_KeyringResponse.self) { proto, path throws(Wire.DecodeError) in
            .keyring(try KeyringMessage(proto, path: path))
        }
    }
}
