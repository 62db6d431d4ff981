#if !FUZZING
import AgentCore
import Basics
import ClusterState
import Consensus
import DNS
import Foundation
import Membership
import PeerMessages
import Wire

/// The generated part of the seed corpus: real peer frames and DNS packets, encoded by the
/// codecs the agent uses. (The manifests and patches are committed as written.)
enum Seeds {
    static func write(into root: URL) throws {
        try write(peerSeeds(), to: root.appendingPathComponent("peer"))
        try write(dnsSeeds(), to: root.appendingPathComponent("dns"))
        try write(dnsTCPSeeds(), to: root.appendingPathComponent("dns-tcp"))
    }

    static func write(_ seeds: [String: [UInt8]], to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, bytes) in seeds {
            try Data(bytes).write(to: directory.appendingPathComponent(name))
        }
    }

    /// The first message of every kind the three agents of ``PeerWorld`` exchanged, framed
    /// plaintext (mode byte 0), sealed (mode byte 1) and ready to seal (mode byte 3: the
    /// sealed header and message), and one stream of several frames.
    static func peerSeeds() throws -> [String: [UInt8]] {
        var firsts: [String: Wire.PeerMessage] = [:]
        for message in PeerTarget.world.sent where firsts[kind(of: message)] == nil {
            firsts[kind(of: message)] = message
        }
        // Keyring operations travel only when an operator rotates keys: none in the world's traffic.
        let (a, b) = (PeerTarget.world.nodes[0].id, PeerTarget.world.nodes[1].id)
        firsts["keyring-install"] = .keyring(.request(from: a, to: b, id: 1, operation: .install(key: Array(repeating: 7, count: 32))))
        firsts["keyring-answer"] = .keyring(.response(from: b, to: a, id: 1, keyDigests: [Wire.Keyring.digest(of: PeerTarget.key)], error: nil))
        // Volume transfers run only between agents with a volume pool: none in the world's traffic.
        firsts["volume-chunk"] = .volume(.chunk(VolumeChunk(
            from: a, to: b, volume: "pvc-1", transfer: 7, epoch: 1, generation: 2, parent: 1,
            snapshotUnixMillis: 1_800_000_000_000, sequence: 0, data: Array(repeating: 0x5A, count: 64), digest: Array(repeating: 1, count: 32)
        )))
        firsts["volume-ack"] = .volume(.ack(VolumeAck(from: b, to: a, volume: "pvc-1", transfer: 7, sequence: 0, applied: 2)))
        let plaintext = PeerTarget.codec(sealed: false)
        let sealed = PeerTarget.codec(sealed: true)
        var seeds: [String: [UInt8]] = [:]
        for (kind, message) in firsts {
            seeds["plain-\(kind)"] = try [0] + plaintext.encode(message, to: PeerTarget.recipient)
            let frame = try sealed.encode(message, to: PeerTarget.recipient)
            seeds["sealed-\(kind)"] = [1] + frame
            seeds["unsealed-\(kind)"] = try [3] + Wire.encodeFrame(sealed.keyring.open(Array(frame.dropFirst(Wire.lengthPrefixBytes))))
        }
        seeds["plain-stream"] = try [0] + PeerTarget.world.sent.prefix(8).flatMap { try plaintext.encode($0, to: PeerTarget.recipient) }
        return seeds
    }

    static func kind(of message: Wire.PeerMessage) -> String {
        switch message {
        case .gossip(let envelope): "gossip-\(caseName(envelope.message))"
        case .raft(let raft): "raft-\(caseName(raft.payload))"
        case .lease(let lease): "lease-\(caseName(lease))"
        case .forward(let forward): "forward-\(caseName(forward))"
        case .logs: "logs"
        case .keyring: "keyring"
        case .volume: "volume"
        case .hello: "hello"
        }
    }

    static func caseName(_ value: Any) -> String {
        Mirror(reflecting: value).children.first?.label ?? String(describing: value)
    }

    /// Queries as `dig` sends them for every kind of name the zone answers (and some it
    /// refuses), with and without EDNS, and the responder's replies to them.
    static func dnsSeeds() throws -> [String: [UInt8]] {
        let podIPs = DNSTarget.state.pods.values.compactMap { $0.status?.podIP }.sorted()
        let reverse = podIPs.prefix(1).map { $0.split(separator: ".").reversed().joined(separator: ".") + ".in-addr.arpa." }
        let questions: [(String, DNSRecordType)] = [
            ("web-0.nginx.default.svc.cluster.local.", .a), ("nginx.default.svc.cluster.local.", .a),
            ("_web._tcp.nginx.default.svc.cluster.local.", .srv), ("nginx.default.svc.cluster.local.", .any),
            ("cluster.local.", .soa), ("cluster.local.", .ns), ("web-1.nginx.default.svc.cluster.local.", .aaaa),
            ("nope.default.svc.cluster.local.", .a), ("example.com.", .a), ("dns-version.cluster.local.", .txt),
        ] + reverse.map { ($0, .ptr) }
        var seeds: [String: [UInt8]] = [:]
        for (number, (name, type)) in questions.enumerated() {
            for edns in [nil, EDNS(udpPayloadSize: 1232, options: [EDNSOption(code: EDNSOption.cookieCode, data: Array(1...8))])] {
                var query = DNSMessage(
                    header: DNSHeader(id: UInt16(number + 1), recursionDesired: true),
                    questions: [DNSQuestion(name: try DNSName(name), type: type)]
                )
                query.edns = edns
                let packet = try query.encoded()
                let suffix = edns == nil ? "" : "-edns"
                seeds["query-\(number)\(suffix)"] = packet
                seeds["reply-\(number)\(suffix)"] = DNSTarget.responder.respond(to: packet, transport: .udp, index: DNSTarget.index)
            }
        }
        return seeds
    }

    /// The `dns` queries as TCP streams (a control byte, then length-prefixed messages):
    /// each alone, all of them pipelined, with time passing and not, one cut short, and
    /// an empty message.
    static func dnsTCPSeeds() throws -> [String: [UInt8]] {
        let queries = try dnsSeeds().filter { $0.key.hasPrefix("query-") }.sorted { $0.key < $1.key }.map(\.value)
        let framed = queries.map { [UInt8(truncatingIfNeeded: $0.count >> 8), UInt8(truncatingIfNeeded: $0.count)] + $0 }
        var seeds: [String: [UInt8]] = [:]
        for (number, message) in framed.enumerated() {
            seeds["single-\(number)"] = [UInt8(number * 2)] + message
        }
        seeds["pipelined"] = [6] + framed.joined()
        seeds["pipelined-slow"] = [9] + framed.joined()
        seeds["cut-short"] = [3] + framed[0] + framed[1].dropLast(5)
        seeds["empty-message"] = [0, 0, 0] + framed[0]
        return seeds
    }
}
#endif
