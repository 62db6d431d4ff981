import AgentCore
import Basics
import Foundation
import Testing
import PeerMessages
import Wire

/// A key holder's peer log request for a container name that climbs out of the pod's log
/// directory: the test takes a killed member's name, address and port, asks the agent that
/// runs a pod for `../…/tmp/<secret>` and for the pod's real container, and reads the
/// sealed answers the agent sends back to that address.
@Suite(.serialized, .timeLimit(.minutes(3))) struct PeerLogRequestProcessTests {
    static let flags = PeerPortProcessTests.flags
    static let set = processTestSet("logged", replicas: 3, parallel: true, command: ["sh", "-c", "echo line-from-the-pod; exec sleep 600"])

    /// The log answers (data and how each stream ended) that the recorded connections
    /// carry, by stream. A fresh codec each time: its replay guard refuses a frame twice.
    static func answers(in connections: [[UInt8]], receivedAt local: String) throws -> [UInt64: (data: String, end: LogMessage.End?)] {
        let codec = try Self.codec()
        var answers: [UInt64: (data: String, end: LogMessage.End?)] = [:]
        for bytes in connections {
            var decoder = Wire.FrameDecoder()
            decoder.append(bytes)
            while let body = try? decoder.nextFrame() {
                guard let message = try? codec.decodeBody(body, receivedAt: local),
                      case .logs(.chunk(_, _, let stream, _, let data, let end)) = message else { continue }
                var answer = answers[stream] ?? ("", nil)
                answer.data += String(decoding: data, as: UTF8.self)
                answer.end = end ?? answer.end
                answers[stream] = answer
            }
        }
        return answers
    }

    static func codec() throws -> Wire.PeerCodec {
        Wire.PeerCodec(keyring: try Wire.Keyring(key: Wire.Sealer.parseKey(base64: PeerPortProcessTests.key)))
    }

    @Test func aLogRequestClimbingOutOfThePodsDirectoryIsRefused() async throws {
        try await withCluster("peer-logs", count: 3, basePort: 18490, extra: Self.flags) { agents in
            _ = try await require("keyed agents converge", within: .seconds(15)) { await allSee(agents, allAlive(agents)) }
            _ = try await require("a leader", within: .seconds(15)) { await agreedLeader(agents) != nil }
            let applied = try ordinal(["apply", "-f", "-", "--agent", agents[0].apiURL], input: Self.set)
            #expect(applied.status == 0, "\(applied.errors)")
            _ = try await require("the pods run", within: .seconds(30)) {
                let pods = await agents[0].pods() ?? []
                return pods.count == 3 && pods.allSatisfy { $0.status?.phase == "Running" && $0.spec.nodeName != nil }
            }
            let pods = try #require(await agents[0].pods())
            let pod = try #require(pods.first { $0.spec.nodeName != "p1" }, "a pod placed away from p1: \(pods)")
            let holder = try #require(agents.first { $0.name == pod.spec.nodeName })

            let secret = "ordinal-peer-logs-\(UUID().uuidString)"
            let secretFile = URL(fileURLWithPath: "/tmp/\(secret).log")
            try Data("the-secret-\(secret)\n".utf8).write(to: secretFile)
            defer { try? FileManager.default.removeItem(at: secretFile) }
            let climbing = String(repeating: "../", count: 40) + "tmp/\(secret)"

            // p1 dies; the test takes its address and port and speaks as p1 before the
            // holder's failure detector drops it (its answers go to p1's address).
            agents[0].kill9()
            let listener = try ConnectionRecorder(listen: agents[0].host, port: agents[0].peerPort)
            defer { listener.stop() }
            let codec = try Self.codec()
            let recipient = Wire.SealedHeader.recipientText(host: holder.host, port: holder.peerPort)
            let me = NodeID("p1"), them = NodeID(holder.name)
            func request(_ stream: UInt64, _ container: String) throws -> [UInt8] {
                let target = LogMessage.Target(
                    pod: .init(namespace: "default", name: pod.metadata.name), uid: pod.metadata.uid,
                    container: container, tailLines: nil, follow: false
                )
                return try codec.encode(.logs(.request(from: me, to: them, stream: stream, target: target)), to: recipient)
            }
            let connection = try #require(tcpConnect(to: holder.host, port: holder.peerPort, from: agents[0].host))
            defer { close(connection) }
            let frames = try request(1, climbing) + request(2, "main")
            _ = frames.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }

            let local = Wire.SealedHeader.recipientText(host: agents[0].host, port: agents[0].peerPort)
            _ = try await require("\(holder.name) answers both requests at p1's address", within: .seconds(10)) {
                let answers = (try? Self.answers(in: listener.connections, receivedAt: local)) ?? [:]
                return answers[1]?.end != nil && answers[2]?.end != nil
            }
            let answers = try Self.answers(in: listener.connections, receivedAt: local)
            let refused = try #require(answers[1])
            #expect(!refused.data.contains("the-secret"), "the file outside the pod's directory must not be read: \(refused.data)")
            guard case .failed(let reason)? = refused.end else {
                Issue.record("the climbing request must fail, it ended \(String(describing: refused.end))")
                return
            }
            #expect(reason.contains("is not valid for pod \(pod.metadata.name)"), "\(reason)")
            let served = try #require(answers[2])
            #expect(served.data.contains("line-from-the-pod"), "the pod's own log is served on the same path: \(served)")
            #expect(served.end == .finished)
        }
    }
}
