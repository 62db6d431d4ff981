import ClusterState
import Foundation
import Glibc
import Testing
@testable import Runtime

/// Readiness and liveness against real processes, including the built-in serve-hostname.
@Suite(.serialized, .enabled(if: SupervisorHarness.binary != nil, SupervisorHarness.skipMessage))
struct ProbeTests {
    private static func probe(_ probe: Probe, failureThreshold: Int = 3) -> Probe {
        var probe = probe
        probe.periodSeconds = 1
        probe.failureThreshold = failureThreshold
        return probe
    }

    @Test func readinessOfEachKind() async throws {
        var server = Container.fixture(name: "server", image: "ordinal/serve-hostname", ports: [18010], mounts: [("data", "/data")])
        server.readinessProbe = Self.probe(Probe(httpGet: .init(path: "/healthz", port: .int(18010))))
        var tcp = Container.shell("tcp", "exec sleep 300")
        tcp.ports = [ContainerPort(name: "web", containerPort: 18010)]
        tcp.readinessProbe = Self.probe(Probe(tcpSocket: .init(port: .string("web"))))
        var exec = Container.shell("exec", "touch $VOLUME_DATA/marker; exec sleep 300")
        exec.readinessProbe = Self.probe(Probe(exec: .init(command: ["sh", "-c", "test -f $VOLUME_DATA/marker"])))
        var closed = Container.shell("closed", "exec sleep 300")
        closed.readinessProbe = Self.probe(Probe(tcpSocket: .init(port: .int(18011))))
        var failing = Container.shell("failing", "exec sleep 300")
        failing.readinessProbe = Self.probe(Probe(exec: .init(command: ["false"])))

        let pod = try SupervisorHarness([server, tcp, exec, closed, failing], podIP: "127.0.0.31")
        let report = try await pod.waitFor("three ready", timeout: .seconds(6)) { report in
            ["server", "tcp", "exec"].allSatisfy { report.container($0)?.ready == true }
        }
        #expect(report.container("closed")?.ready == false)
        #expect(report.container("failing")?.ready == false)
        #expect(report.container("closed")?.state?.running != nil)

        try Data("hello".utf8).write(to: URL(fileURLWithPath: pod.dataPath + "/b-file"))
        let (raw, http) = (try Self.exchange(port: 18010, host: "127.0.0.31", send: "\n"),
                           try Self.exchange(port: 18010, host: "127.0.0.31", send: "GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
        #expect(raw == "web-0\nVOLUME_DATA: b-file marker\n")
        #expect(http.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(http.hasSuffix("\r\n\r\nweb-0\nVOLUME_DATA: b-file marker\n"))
    }

    @Test func failingLivenessRestartsTheContainer() async throws {
        var main = Container.shell("main", "exec sleep 300")
        main.livenessProbe = Self.probe(Probe(exec: .init(command: ["false"])), failureThreshold: 1)
        let pod = try SupervisorHarness([main], grace: 1)
        let report = try await pod.waitFor("a liveness restart", timeout: .seconds(6)) { $0.container("main")!.restartCount >= 1 }
        let last = try #require(report.container("main")?.lastState?.terminated)
        #expect(last.message == "liveness probe failed")
        #expect(last.exitCode == 128 + Int(SIGTERM))
    }

    /// Sends `text` and reads until the server closes.
    private static func exchange(port: UInt16, host: String, send text: String) throws -> String {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        var timeout = timeval(tv_sec: 3, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0)
        _ = Array(text.utf8).withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            response += chunk[..<count]
        }
        return String(decoding: response, as: UTF8.self)
    }
}
