import AgentCore
import Basics
import Membership
import SwiftProtobuf
import Wire

// Validating conversions between the membership domain types and their generated
// protobuf counterparts; see `PeerMessage+Protobuf.swift` for the decoding contract.
// Every throwing initializer takes the dotted `path` of the field it decodes so that an
// error names the offending field, e.g. `gossip.push_pull.members[2].address.port`.

extension Ordinal_Wire_V1_GossipEnvelope {
    init(_ envelope: Membership.Envelope) {
        self.init()
        sender = envelope.sender.name
        senderAddress = Ordinal_Wire_V1_Endpoint(envelope.senderAddress)
        gossip = envelope.gossip.map(Ordinal_Wire_V1_MemberState.init)
        switch envelope.message {
        case let .ping(sequence):
            ping = .with { $0.sequence = sequence }
        case let .pingRequest(sequence, target, targetAddress):
            pingRequest = .with {
                $0.sequence = sequence
                $0.target = target.name
                $0.targetAddress = Ordinal_Wire_V1_Endpoint(targetAddress)
            }
        case let .ack(sequence):
            ack = .with { $0.sequence = sequence }
        case let .nack(sequence):
            nack = .with { $0.sequence = sequence }
        case let .pushPull(members, isReply):
            pushPull = .with {
                $0.members = members.map(Ordinal_Wire_V1_MemberState.init)
                $0.isReply = isReply
            }
        }
    }
}

extension Membership.Envelope {
    init(_ proto: Ordinal_Wire_V1_GossipEnvelope, path: @autoclosure () -> String) throws(Wire.DecodeError) {
        let sender = try NodeID(proto.sender, path: "\(path()).sender")
        guard proto.hasSenderAddress else { throw .invalidField(path: "\(path()).sender_address", reason: "missing") }
        let senderAddress = try Endpoint(proto.senderAddress, path: "\(path()).sender_address")
        let message: Membership.Message
        switch proto.message {
        case let .ping(ping)?:
            message = .ping(sequence: ping.sequence)
        case let .pingRequest(request)?:
            let target = try NodeID(request.target, path: "\(path()).ping_request.target")
            guard request.hasTargetAddress else {
                throw .invalidField(path: "\(path()).ping_request.target_address", reason: "missing")
            }
            let address = try Endpoint(request.targetAddress, path: "\(path()).ping_request.target_address")
            message = .pingRequest(sequence: request.sequence, target: target, targetAddress: address)
        case let .ack(ack)?:
            message = .ack(sequence: ack.sequence)
        case let .nack(nack)?:
            message = .nack(sequence: nack.sequence)
        case let .pushPull(pushPull)?:
            let members = try Membership.Member.list(pushPull.members, path: "\(path()).push_pull.members")
            message = .pushPull(members: members, isReply: pushPull.isReply)
        case nil:
            throw .missingBody(path: "\(path()).message")
        }
        let gossip = try Membership.Member.list(proto.gossip, path: "\(path()).gossip")
        self.init(sender: sender, senderAddress: senderAddress, message: message, gossip: gossip)
    }
}

extension Ordinal_Wire_V1_MemberState {
    init(_ member: Membership.Member) {
        self.init()
        id = member.id.name
        address = Ordinal_Wire_V1_Endpoint(member.address)
        status = switch member.status {
        case .alive: .alive
        case .suspect: .suspect
        case .dead: .dead
        case .left: .left
        }
        incarnation = member.incarnation
        metadata = member.metadata
    }
}

extension Membership.Member {
    static func list(_ protos: [Ordinal_Wire_V1_MemberState], path: @autoclosure () -> String) throws(Wire.DecodeError) -> [Self] {
        var members: [Self] = []
        members.reserveCapacity(protos.count)
        for (index, proto) in protos.enumerated() {
            members.append(try Self(proto, path: "\(path())[\(index)]"))
        }
        return members
    }

    init(_ proto: Ordinal_Wire_V1_MemberState, path: @autoclosure () -> String) throws(Wire.DecodeError) {
        let id = try NodeID(proto.id, path: "\(path()).id")
        guard proto.hasAddress else { throw .invalidField(path: "\(path()).address", reason: "missing") }
        let address = try Endpoint(proto.address, path: "\(path()).address")
        let status: Membership.Status
        switch proto.status {
        case .alive: status = .alive
        case .suspect: status = .suspect
        case .dead: status = .dead
        case .left: status = .left
        case .unspecified: throw .invalidField(path: "\(path()).status", reason: "unspecified")
        case let .UNRECOGNIZED(value): throw .invalidField(path: "\(path()).status", reason: "unknown value \(value)")
        }
        guard proto.incarnation <= Wire.maxIncarnation else {
            throw .invalidField(path: "\(path()).incarnation", reason: "\(proto.incarnation) is above \(Wire.maxIncarnation)")
        }
        self.init(id: id, address: address, status: status, incarnation: proto.incarnation, metadata: proto.metadata)
    }
}

extension Wire {
    /// The largest incarnation a peer may claim: 2⁶², so the member it names can always
    /// refute it by counting up (a forged claim of 2⁶⁴−1 made that member trap).
    package static let maxIncarnation: UInt64 = 1 << 62
}

// MARK: - Basics

extension Ordinal_Wire_V1_Endpoint {
    init(_ endpoint: Endpoint) {
        self.init()
        host = endpoint.host
        port = UInt32(endpoint.port)
    }
}

extension Endpoint {
    init(_ proto: Ordinal_Wire_V1_Endpoint, path: @autoclosure () -> String) throws(Wire.DecodeError) {
        guard !proto.host.isEmpty else { throw .invalidField(path: "\(path()).host", reason: "empty") }
        guard (1...UInt32(UInt16.max)).contains(proto.port), let port = UInt16(exactly: proto.port) else {
            throw .invalidField(path: "\(path()).port", reason: "\(proto.port) is outside 1...65535")
        }
        self.init(host: proto.host, port: port)
    }
}

extension NodeID {
    /// The longest agent name a peer may send: a log entry names a forwarding agent in
    /// a length byte (``AgentCore/ForwardedEntry``).
    static let maxWireBytes = 255

    init(_ name: String, path: @autoclosure () -> String) throws(Wire.DecodeError) {
        guard !name.isEmpty else { throw .invalidField(path: path(), reason: "empty name") }
        guard name.utf8.count <= Self.maxWireBytes else { throw .invalidField(path: path(), reason: "longer than \(Self.maxWireBytes) bytes") }
        self.init(name)
    }

    /// The sender and receiver of a point-to-point message; never the same agent.
    static func ends(_ from: String, _ to: String, path: @autoclosure () -> String) throws(Wire.DecodeError) -> (NodeID, NodeID) {
        let sender = try NodeID(from, path: "\(path()).from")
        let receiver = try NodeID(to, path: "\(path()).to")
        guard sender != receiver else { throw .invalidField(path: "\(path()).to", reason: "same as from") }
        return (sender, receiver)
    }
}

extension Wire.MessageKinds where M == CorePeerMessage {
    /// SWIM's messages travel in one envelope kind.
    mutating func registerGossip() {
        register(.gossip, as: Ordinal_Wire_V1_GossipEnvelope.self) { proto, path throws(Wire.DecodeError) in
            .gossip(try Membership.Envelope(proto, path: path))
        }
    }
}
