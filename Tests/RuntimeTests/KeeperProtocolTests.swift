import ClusterState
import Foundation
import Glibc
import Testing
@testable import Runtime

/// The keeper's frames, and a real keeper fed frames no agent would send.
struct KeeperFrameTests {
    @Test(arguments: [
        [["lease", "42"]],
        [["start", "c0.0", "/bin/sh", "", "", "", "0", "1", "sh", "0"], ["forget", "c0.0"]],
        [[""]],
        [["launch", "{\"é\":\"ü\"}"], ["stop", "1"], ["signal", "p1", "9"]],
    ])
    func framesSurviveAnyChunking(fields: [[String]]) throws {
        let frames = fields.map(KeeperFrame.init)
        let bytes = try frames.flatMap { try $0.encoded() }
        for chunk in [1, 3, 7, bytes.count] {
            var buffer: [UInt8] = []
            var decoded: [KeeperFrame] = []
            var offset = 0
            while offset < bytes.count {
                buffer += bytes[offset ..< min(bytes.count, offset + chunk)]
                offset += chunk
                decoded += try KeeperFrame.take(from: &buffer)
            }
            #expect(decoded == frames, "chunk \(chunk)")
            #expect(buffer.isEmpty)
        }
    }

    @Test func aFieldWithNULIsRefusedNotCut() {
        #expect(throws: KeeperFrame.Failure.nulInField("A=b\u{0}c")) { try KeeperFrame(["start", "A=b\u{0}c"]).encoded() }
    }

    @Test func anOverlongLengthIsRefusedBeforeItIsBuffered() {
        var buffer: [UInt8] = [0x7F, 0xFF, 0xFF, 0xFF, 1, 2]
        #expect(throws: KeeperFrame.Failure.tooLong(0x7FFF_FFFF)) { try KeeperFrame.take(from: &buffer) }
        #expect(throws: KeeperFrame.Failure.tooLong(KeeperFrame.maximumLength + 1)) {
            try KeeperFrame([String(repeating: "x", count: KeeperFrame.maximumLength + 1)]).encoded()
        }
    }

    @Test(arguments: [
        (["proc", "c1.3", "77", "1700000000", "1", "0", "0"], "c1.3", 77 as Int32, nil as Int32?, 1 as Int?, 3 as Int?),
        (["proc", "c0.0", "78", "1700000000", "0", "256", "1700000005"], "c0.0", 78, 256, 0, 0),
        (["proc", "p4", "79", "1700000000", "0", "9", "1700000001"], "p4", 79, 9, nil, nil),
    ])
    func processRecordsParse(fields: [String], id: String, pid: Int32, status: Int32?, index: Int?, attempt: Int?) throws {
        let process = try #require(KeptProcess(proc: KeeperFrame(fields)))
        #expect(process.id == id && process.pid == pid && process.status == status)
        #expect(process.container?.index == index && process.container?.attempt == attempt)
    }

    @Test(arguments: [["proc", "c0.0"], ["proc", "c0.0", "x", "1", "1", "0", "0"], ["exited", "c0.0", "1"], ["hello"]])
    func malformedRecordsAreRejected(fields: [String]) {
        #expect(KeptProcess(proc: KeeperFrame(fields)) == nil && KeptProcess(exited: KeeperFrame(fields)) == nil)
    }
}

@Suite(.serialized, .enabled(if: SupervisorHarness.keeper != nil, SupervisorHarness.skipMessage))
struct KeeperProtocolTests {
    @Test func garbageFramesGetErrorsAndChangeNothing() throws {
        let directory = try TemporaryDirectory()
        var launch = try Self.launch(directory)
        launch.containers = []
        let pod = try PodSupervisor.launch(launch, keeper: try #require(SupervisorHarness.keeper), socket: directory.path + "/keeper")
        // A second connection replaces the agent's; it speaks garbage, then reconnects.
        let link = try KeeperLink(connectingTo: directory.path + "/keeper")
        #expect(try link.awaitFrame(["hello"])[4].contains("\"web-0\""))
        for fields in [["nonsense"], ["lease", "soon"], ["lease", "-5"], ["start", "x"], ["signal", "c0.0", "999"],
                       ["start", "c0.0", "/bin/true", "", "", "", "0", "5", "a", "0"], ["stop"]] {
            try link.send(KeeperFrame(fields))
            #expect(try link.awaitFrame(["error"]).kind == "error", "\(fields)")
        }
        try link.send(KeeperFrame(["start", "c0.0", "/nonexistent/x", "", "", "", "0", "1", "x", "0"]))
        let failed = try link.awaitFrame(["started", "failed"])
        #expect(failed.kind == "failed" && failed[2] == String(ENOENT))
        // A frame over the limit drops the connection; the keeper itself carries on.
        let header: [UInt8] = [0x00, 0x20, 0x00, 0x00]
        _ = header.withUnsafeBytes { send(link.descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        #expect(throws: KeeperLink.Failure.self) { _ = try link.awaitFrame(["never"]) }
        let again = try KeeperLink(connectingTo: directory.path + "/keeper")
        #expect(try again.awaitFrame(["hello"])[1] == PodSupervisor.protocolVersion)
        try again.send(KeeperFrame(["stop", "0"]))
        #expect(try again.awaitFrame(["stopped"]).kind == "stopped")
        withExtendedLifetime(pod) {}
    }

    static func launch(_ directory: TemporaryDirectory) throws -> PodLaunch {
        PodLaunch(
            namespace: "default", name: "web-0", uid: "uid-1", ordinal: 0, podIP: "127.0.0.1", nodeName: "a2",
            fencingEpoch: 1, containers: [], volumePaths: [:], logDirectory: directory.path + "/logs",
            terminationGracePeriodSeconds: 1, restartPolicy: "Always", helperExecutable: "/bin/false", keeperExecutable: "/bin/false",
            searchPath: "/usr/bin:/bin", leaseDeadline: MonotonicDeadline.now().adding(.seconds(30)))
    }
}

/// The keeper freezes a pod its agent stopped renewing (pods with replicated volumes) and
/// thaws it at the next renewal: nothing is written that cannot ship before the lease ends.
@Suite(.serialized, .enabled(if: SupervisorHarness.keeper != nil, SupervisorHarness.skipMessage))
struct KeeperFreezeTests {
    /// The state letter of `pid` in /proc (`S` sleeping, `T` stopped).
    static func state(_ pid: Int32) -> Character? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(close, offsetBy: 2)...].first
    }

    @Test func aPodWithoutRenewalsIsFrozenAndThawedAtTheNext() async throws {
        let directory = try TemporaryDirectory()
        var launch = try KeeperProtocolTests.launch(directory)
        let file = directory.path + "/pid"
        launch.containers = [Container(name: "main", command: ["sh", "-c", "echo $$$$ > \(file); exec sleep 600"])]  // $$ is $(VAR) escaping
        launch.freezeAfter = .milliseconds(300)
        launch.leaseDeadline = MonotonicDeadline.now().adding(.seconds(30))
        let pod = try PodSupervisor.launch(launch, keeper: try #require(SupervisorHarness.keeper), socket: directory.path + "/keeper")
        defer { pod.stop() }
        try await eventually("the container wrote its pid") {
            (try? String(contentsOfFile: file, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) } != nil
        }
        let sleeper = try #require(Int32(try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        try await Task.sleep(for: .milliseconds(600))
        #expect(Self.state(sleeper) == "T", "frozen after 300 ms without a renewal")
        pod.renewLease(until: MonotonicDeadline.now().adding(.seconds(40)))
        try await Task.sleep(for: .milliseconds(100))
        #expect(Self.state(sleeper) == "S", "thawed by the renewal")
        try await Task.sleep(for: .milliseconds(600))
        #expect(Self.state(sleeper) == "T", "frozen again once renewals stop")
    }
}
