import ClusterState
import DNS
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A packet to the DNS server: ``DNS/DNSMessage`` decoding, and the responder answering it
/// over UDP and TCP from the zone of a cluster running the example workload (a headless
/// Service and a three-pod StatefulSet, placed by the controller).
///
/// Traps when a decoded message does not re-encode to itself, when a truncated encoding
/// breaks its contract (over the limit with more than the kept parts, or not decodable), or
/// when a reply is not a well-formed response with the query's ID.
enum DNSTarget {
    static let service = #"{"apiVersion":"v1","kind":"Service","metadata":{"name":"nginx"},"spec":{"clusterIP":"None","publishNotReadyAddresses":true,"selector":{"app":"nginx"},"ports":[{"name":"web","port":8080}]}}"#
    static let statefulSet = #"{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"web"},"spec":{"serviceName":"nginx","replicas":3,"selector":{"matchLabels":{"app":"nginx"}},"template":{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"name":"nginx","image":"nginx","ports":[{"containerPort":8080,"name":"web"}]}]}}}}"#

    static let state: ClusterState = {
        var cluster = ManifestTarget.base
        // Fixed manifests that the API accepts.
        let objects = [service, statefulSet].map { try! JSONDecoder().decode(ClusterObject.self, from: Data($0.utf8)) }
        ManifestTarget.apply(objects.map { .create($0) }, to: &cluster)
        ManifestTarget.pass(&cluster)
        ManifestTarget.pass(&cluster)
        return cluster.state
    }()
    static let index = DNSZoneIndex(state: state)
    static let responder = DNSResponder()

    static func run(_ packet: [UInt8]) {
        if let message = try? DNSMessage(decoding: packet) {
            guard let encoded = try? message.encoded() else { preconditionFailure("\(message) does not encode") }
            precondition((try? DNSMessage(decoding: encoded)) == message, "\(message) does not re-encode to itself")
            let limit = packet.count > 2 ? Int(packet[packet.count - 1]) * 4 : 512
            guard let cut = try? message.encoded(limit: limit) else { preconditionFailure("\(message) does not encode within \(limit) bytes") }
            guard let kept = try? DNSMessage(decoding: cut) else { preconditionFailure("\(message) cut to \(limit) bytes does not decode") }
            let onlyKeptParts = kept.answers.isEmpty && kept.authorities.isEmpty && kept.additionals.allSatisfy { $0.type == .opt }
            precondition(cut.count <= limit || onlyKeptParts, "\(message) cut to \(limit) bytes is \(cut.count) bytes")
        }
        for transport in [DNSTransport.udp, .tcp] {
            guard let reply = responder.respond(to: packet, transport: transport, index: index) else { continue }
            let decoded = try? DNSMessage(decoding: reply)
            precondition(decoded?.header.isResponse == true, "the reply \(reply) to \(packet) is not a response")
            precondition(reply.prefix(2).elementsEqual(packet.prefix(2)), "the reply \(reply) to \(packet) has another ID")
        }
    }
}
