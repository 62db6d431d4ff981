import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Real `ordinal agent` processes on loopback: join, failure detection, leave, strangers.
@Suite(.serialized, .timeLimit(.minutes(2))) struct GossipProcessTests {
    static let key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="      // bytes 0...31
    static let otherKey = "HxwdHhscGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA="

    @Test func threeAgentsJoinAndConverge() async throws {
        try await withCluster("join", count: 3, basePort: 17510) { agents in
            let seconds = try await require("3 agents converge", within: .seconds(15)) {
                await allSee(agents, allAlive(agents))
            }
            print("process test: 3 agents converged in \(seconds) s")
        }
    }

    @Test func killedAgentIsDeclaredDeadByEveryone() async throws {
        try await withCluster("kill", count: 4, basePort: 17520) { agents in
            _ = try await require("4 agents converge", within: .seconds(15)) { await allSee(agents, allAlive(agents)) }
            let victim = agents[2]
            victim.kill9()
            let survivors = agents.filter { $0 !== victim }
            let seconds = try await require("\(victim.name) declared dead by every survivor", within: .seconds(20)) {
                await allSee(survivors, [victim.name: "dead"])
            }
            print("process test: kill -9 detected by all survivors in \(seconds) s")
            #expect(await allSee(survivors, allAlive(survivors)))
            try victim.restart()
            _ = try await require("restarted \(victim.name) is alive again everywhere", within: .seconds(15)) {
                await allSee(agents, allAlive(agents))
            }
        }
    }

    @Test func sigtermLeavesGracefully() async throws {
        try await withCluster("leave", count: 3, basePort: 17530) { agents in
            _ = try await require("3 agents converge", within: .seconds(15)) { await allSee(agents, allAlive(agents)) }
            let leaver = agents[1]
            leaver.terminate()
            #expect(leaver.process?.terminationStatus == 0)
            let survivors = agents.filter { $0 !== leaver }
            _ = try await require("\(leaver.name) seen as left", within: .seconds(5)) {
                await allSee(survivors, [leaver.name: "left"])
            }
            #expect(leaver.log.contains("leaving the cluster"))
        }
    }

    @Test func strangerWithoutTheKeyIsRejectedWhileTheClusterWorks() async throws {
        try await withCluster("stranger", count: 3, basePort: 17540, extra: ["--encrypt", Self.key]) { agents in
            _ = try await require("keyed agents converge", within: .seconds(15)) { await allSee(agents, allAlive(agents)) }
            let stranger = AgentProcess(name: "stranger", host: "127.0.88.9", peerPort: 17540, apiPort: 17620, directory: agents[0].directory)
            defer { stranger.terminate() }
            try stranger.start(join: [agents[0]], extra: ["--encrypt", Self.otherKey])
            try await Task.sleep(for: .seconds(3))
            for agent in agents {
                let states = await agent.memberStates()
                #expect(states?["stranger"] == nil, "\(agent.name) must not admit the stranger")
            }
            #expect(await stranger.memberStates()?.count == 1, "the stranger must see only itself")
            #expect(await allSee(agents, allAlive(agents)))
            #expect(agents[0].log.contains("rejected peer connection"))
        }
    }

    @Test func garbageOnThePeerPortChangesNothing() async throws {
        try await withCluster("garbage", count: 3, basePort: 17550) { agents in
            _ = try await require("3 agents converge", within: .seconds(15)) { await allSee(agents, allAlive(agents)) }
            var generator = SystemRandomNumberGenerator()
            for round in 0..<20 {
                let bytes = (0..<(64 + round * 97)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                try sendRaw(bytes, to: agents[0].host, port: agents[0].peerPort)
            }
            try sendRaw(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8), to: agents[0].host, port: agents[0].peerPort)
            try await Task.sleep(for: .seconds(1))
            #expect(agents.allSatisfy { $0.isRunning })
            #expect(await allSee(agents, allAlive(agents)))
        }
    }

    @Test(arguments: [
        (["--name", "Bad_Name"], "must be a DNS-1123 label"),
        (["--name", "ok", "--bind", "127.0.0.1:99999"], "expected HOST:PORT"),
        (["--name", "ok", "--encrypt", "not-base64!"], "--encrypt"),
        (["--name", "ok", "--probe-interval-ms", "0"], "probeInterval"),
    ])
    func badFlagsAreRejectedWithAClearError(flags: [String], message: String) throws {
        let directory = try makeTestDirectory("flags")
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = Process()
        process.executableURL = AgentProcess.binary
        process.arguments = ["agent", "--data-dir", directory.path] + flags
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        #expect(output.contains(message), "output was: \(output)")
    }
}

/// Opens a TCP connection, writes the bytes, and closes it.
func sendRaw(_ bytes: [UInt8], to host: String, port: Int) throws {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw ClusterTimeout(description: "socket() failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    inet_pton(AF_INET, host, &address.sin_addr)
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw ClusterTimeout(description: "connect to \(host):\(port) failed") }
    _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
}
