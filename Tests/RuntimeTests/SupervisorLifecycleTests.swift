import ClusterState
import Foundation
import Glibc
import Testing
@testable import Runtime

/// Real keepers, supervisors and containers; each test is bounded by a few seconds.
@Suite(.serialized, .enabled(if: SupervisorHarness.keeper != nil, SupervisorHarness.skipMessage))
struct SupervisorLifecycleTests {
    @Test func containerSeesTheCleanExpandedEnvironment() async throws {
        setenv("ORDINAL_RUNTIME_TEST_MARKER", "leaked", 1)
        let script = "env > $VOLUME_DATA/env.tmp; echo \"$0|$1|$2\" > $VOLUME_DATA/args; mv $VOLUME_DATA/env.tmp $VOLUME_DATA/env; exec sleep 30"
        let pod = try SupervisorHarness([Container.fixture(
            command: ["sh", "-c", script, "$(POD_NAMESPACE)", "$$(POD_NAME)", "$(NOPE)"],
            env: [("GREETING", "hi-$(POD_NAME)"), ("ESCAPED", "$$(POD_NAME)")], mounts: [("data", "/data")])])
        try await pod.waitFor("running") { $0.isRunning("main") && $0.container("main")!.ready }
        try await eventually("the env file") { FileManager.default.fileExists(atPath: pod.dataPath + "/env") }
        let lines = Set(try String(contentsOfFile: pod.dataPath + "/env", encoding: .utf8).split(separator: "\n").map(String.init))
        for expected in ["POD_NAME=web-0", "POD_NAMESPACE=default", "POD_IP=127.0.0.1", "POD_ORDINAL=0", "POD_UID=uid-1",
                         "NODE_NAME=a2", "PATH=/usr/bin:/bin", "VOLUME_DATA=\(pod.dataPath)", "HOME=\(pod.dataPath)",
                         "GREETING=hi-web-0", "ESCAPED=$(POD_NAME)"] {
            #expect(lines.contains(expected), "missing \(expected) in \(lines.sorted())")
        }
        #expect(!lines.contains { $0.hasPrefix("ORDINAL_RUNTIME_TEST_MARKER=") })
        let args = try String(contentsOfFile: pod.dataPath + "/args", encoding: .utf8)
        #expect(args == "default|$(POD_NAME)|$(NOPE)\n")
    }

    @Test func crashingContainerBacksOffAndCountsRestarts() async throws {
        let pod = try SupervisorHarness([.shell("main", "echo boom; exit 1")])
        let report = try await pod.waitFor("two restarts", timeout: .seconds(6)) {
            $0.container("main")!.restartCount >= 2 && $0.container("main")!.state?.waiting?.reason == "CrashLoopBackOff"
        }
        let status = try #require(report.container("main"))
        #expect(status.lastState?.terminated?.exitCode == 1)
        #expect(status.lastState?.terminated?.reason == "Error")
        #expect(status.state?.waiting?.message == "back-off 4s restarting failed container=main pod=web-0")
        let seen = pod.reports.compactMap { $0.container("main")?.state?.waiting?.message }
        #expect(seen.contains("back-off 1s restarting failed container=main pod=web-0"))
        #expect(try PodLogFiles(directory: pod.launch.logDirectory).read(container: "main").hasPrefix("boom\nboom\nboom\n"))
    }

    @Test func neverPolicyLeavesTheContainerTerminated() async throws {
        let pod = try SupervisorHarness([.shell("main", "exit 0")], restartPolicy: "Never")
        let report = try await pod.waitFor("terminated") { $0.container("main")?.state?.terminated != nil }
        #expect(report.container("main")?.state?.terminated?.reason == "Completed")
        #expect(report.container("main")?.restartCount == 0)
    }

    @Test func missingExecutableWaitsWithAClearMessage() async throws {
        let pod = try SupervisorHarness([Container.fixture(image: "docker.io/library/nginx:1.25")], searchPath: "/nonexistent")
        let report = try await pod.waitFor("ExecutableNotFound") { $0.container("main")?.state?.waiting?.reason == "ExecutableNotFound" }
        #expect(report.container("main")?.state?.waiting?.message == "no executable \"nginx\" on PATH of agent a2")
        #expect(report.container("main")?.ready == false)
    }

    @Test func stopKillsATermIgnoringContainerAfterTheGracePeriod() async throws {
        let pod = try SupervisorHarness([.shell("main", "trap '' TERM; echo $$$$ > $VOLUME_DATA/pid; while :; do sleep 0.05; done")], grace: 1)
        let pid = try await pod.pid(in: "pid")
        let started = ContinuousClock.now
        pod.process?.stop()
        let exit = try await pod.waitForExit()
        let elapsed = ContinuousClock.now - started
        #expect(exit == .stopped)
        #expect(elapsed >= .milliseconds(900), "SIGKILL came before the grace period: \(elapsed)")
        #expect(elapsed < .seconds(3))
        #expect(isDead(pid))
        #expect(pod.reports.last?.container("main")?.state?.terminated?.exitCode == 137)
    }

    @Test func stopTakesOrphanedGrandchildrenWithTheGroup() async throws {
        let pod = try SupervisorHarness([.shell("main", "(sleep 300 & echo $! > $VOLUME_DATA/orphan); exec sleep 300")])
        let orphan = try await pod.pid(in: "orphan")
        #expect(!isDead(orphan))
        pod.process?.stop()
        #expect(try await pod.waitForExit() == .stopped)
        try await eventually("the orphan to die", timeout: .seconds(1)) { isDead(orphan) }
    }

    @Test func aDroppedHandleLeavesThePodRunningAndANewOneAdoptsIt() async throws {
        let pod = try SupervisorHarness([.shell("main", "echo $$$$ > $VOLUME_DATA/pid; (sleep 300 & echo $! > $VOLUME_DATA/orphan); exec sleep 300")])
        let pid = try await pod.pid(in: "pid")
        let orphan = try await pod.pid(in: "orphan")
        pod.dropHandle()
        try await Task.sleep(for: .milliseconds(500))
        #expect(!isDead(pid) && !isDead(orphan), "the pod must outlive the agent's handle")
        let adopted = try pod.adopt()
        #expect(adopted.launch == pod.launch)
        let report = try await pod.waitFor("the adopted container running") { $0.isRunning("main") }
        #expect(report.container("main")?.restartCount == 0)
        #expect(!isDead(pid), "adoption restarted the container")
        adopted.stop()
        #expect(try await pod.waitForExit() == .stopped)
        try await eventually("the tree to die", timeout: .seconds(1)) { isDead(pid) && isDead(orphan) }
    }

    @Test func anExitWhileNoAgentIsConnectedIsHandledOnAdoption() async throws {
        let pod = try SupervisorHarness([.shell("main", "touch $VOLUME_DATA/ran; sleep 0.3; exit 3")], restartPolicy: "Never")
        try await pod.waitFor("running") { $0.isRunning("main") }
        pod.dropHandle()
        try await Task.sleep(for: .milliseconds(800))
        _ = try pod.adopt()
        let report = try await pod.waitFor("terminated") { $0.container("main")?.state?.terminated != nil }
        #expect(report.container("main")?.state?.terminated?.exitCode == 3)
        #expect(report.container("main")?.restartCount == 0)
    }

    @Test func aKeeperThatIsGoneIsNotAdopted() async throws {
        let pod = try SupervisorHarness([.shell("main", "echo $$$$ > $VOLUME_DATA/pid; exec sleep 300")])
        let pid = try await pod.pid(in: "pid")
        defer { kill(pid, SIGKILL) } // a keeper killed outright cannot take its pod along
        let keeper = try #require(pod.process?.pid)
        kill(keeper, SIGKILL)
        #expect(try await pod.waitForExit() == .failed("the pod keeper exited without a stop or an expired lease"))
        #expect(try PodSupervisor.adopt(socket: pod.socket) == nil)
        #expect(!FileManager.default.fileExists(atPath: pod.socket), "the stale socket is removed")
    }

    @Test func expiredLeaseKillsTheTreeByTheKeepersClock() async throws {
        let pod = try SupervisorHarness([.shell("main", "echo $$$$ > $VOLUME_DATA/pid; (sleep 300 & echo $! > $VOLUME_DATA/orphan); exec sleep 300")],
                                        lease: .milliseconds(800))
        let started = ContinuousClock.now
        pod.process?.renewLease(until: MonotonicDeadline.now().adding(.milliseconds(1500)))
        let pid = try await pod.pid(in: "pid")
        let orphan = try await pod.pid(in: "orphan")
        #expect(try await pod.waitForExit() == .leaseExpired)
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .milliseconds(1400), "the renewal was not honoured: \(elapsed)")
        #expect(elapsed < .milliseconds(2500))
        try await eventually("the tree to die", timeout: .milliseconds(300)) { isDead(pid) && isDead(orphan) }
        #expect(pod.reports.last?.container("main")?.state?.terminated?.exitCode == 137, "an exit is final, not a back-off")
        // After the exit both are ignored, and signal nothing.
        pod.process?.renewLease(until: MonotonicDeadline.now().adding(.seconds(10)))
        pod.process?.stop()
    }

    @Test func leasePastAtLaunchStartsNothing() async throws {
        #expect(throws: PodSupervisor.Failure.self) {
            _ = try SupervisorHarness([.shell("main", "exec sleep 300")], lease: .milliseconds(-1))
        }
    }

    @Test func logsAreWrittenAndRotated() async throws {
        let pod = try SupervisorHarness([.shell("main", "head -c 11000000 /dev/zero | tr '\\000' x; echo; echo tail-marker >&2")],
                                        restartPolicy: "Never")
        try await pod.waitFor("terminated") { $0.container("main")?.state?.terminated != nil }
        let files = PodLogFiles(directory: pod.launch.logDirectory)
        try await eventually("the log to be drained") { (try? files.read(container: "main", tailLines: 1)) == "tail-marker\n" }
        let rotated = try FileManager.default.attributesOfItem(atPath: files.rotated("main"))[.size] as? Int ?? 0
        let current = try FileManager.default.attributesOfItem(atPath: files.current("main"))[.size] as? Int ?? 0
        #expect(rotated <= PodLogFiles.rotationLimit && rotated > PodLogFiles.rotationLimit - 70_000)
        #expect(rotated + current == 11_000_000 + 1 + 12)
        let mode = try FileManager.default.attributesOfItem(atPath: files.current("main"))[.posixPermissions] as? Int
        #expect(mode.map { $0 & 0o007 } == 0, "pod logs are not for other users")
    }

    @Test func keeperDropsDescriptorsItInherited() async throws {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        defer { close(ends[0]) }
        let pod = try SupervisorHarness([.shell("main", "exec sleep 300")])
        try await pod.waitFor("running") { $0.isRunning("main") }
        close(ends[1])
        var descriptor = pollfd(fd: ends[0], events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 2000) == 1 else {
            Issue.record("the leaked write end is still held open")
            return
        }
        var byte: UInt8 = 0
        #expect(read(ends[0], &byte, 1) == 0)
    }
}
