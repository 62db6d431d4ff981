import Foundation
import Glibc
import Subprocess
import Testing

/// The one way Ordinal starts a process keeps its promises: only stdin, stdout and stderr
/// reach the child, every child leads its own group (or session), signal handling starts
/// clean, and a tool run to completion is bounded in output and time.
@Suite struct SubprocessTests {
    static func run(_ script: String, outputLimit: Int = 1 << 20, timeout: Duration = .seconds(20)) -> Result<Subprocess.Output, Subprocess.RunFailure> {
        Subprocess.run("/bin/sh", ["-c", script], outputLimit: outputLimit, timeout: timeout)
    }

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    static func openDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
    }

    static func alive(_ pid: pid_t) -> Bool {
        // A zombie still answers kill(0); what matters here is that it no longer runs.
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        return !stat.contains(") Z ")
    }

    @Test func aToolRunToCompletion_givesItsStatusAndBothOutputs() throws {
        let output = try Self.run("echo out; echo err >&2; exit 3").get()
        #expect(output.termination == .exited(3))
        #expect(Self.text(output.stdout) == "out\n")
        #expect(Self.text(output.stderr) == "err\n")
    }

    @Test func bothPipesAreReadAtOnce_soAFullStderrNeverDeadlocksStdout() throws {
        // 256 KiB to stderr before a byte of stdout: four times a pipe's buffer.
        let output = try Self.run("head -c 262144 /dev/zero >&2; head -c 262144 /dev/zero").get()
        #expect(output.termination == .exited(0))
        #expect(output.stdout.count == 262_144)
        #expect(output.stderr.count == 262_144)
    }

    @Test func aToolThatPrintsPastItsLimit_isStoppedAndItsPipesClosed() {
        let before = Self.openDescriptors()
        for _ in 0 ..< 40 {
            let result = Self.run("yes", outputLimit: 100_000)
            guard case .failure(.tooMuchOutput(let limit)) = result else {
                Issue.record("expected tooMuchOutput, got \(result)")
                return
            }
            #expect(limit == 100_000)
        }
        // Two pipe ends leaked per run would be 80; other tests running meanwhile open a few.
        #expect(Self.openDescriptors() - before < 20)
    }

    @Test func aToolPastItsTime_isStoppedWithWhatItStarted() throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("subprocess-\(UUID().uuidString)").path
        defer { unlink(marker) }
        let started = ContinuousClock.now
        let result = Self.run("sleep 30 & echo $! > \(marker); wait", timeout: .milliseconds(500))
        guard case .failure(.timedOut) = result else {
            Issue.record("expected timedOut, got \(result)")
            return
        }
        #expect(ContinuousClock.now - started < .seconds(5))
        let background = try #require(pid_t(try String(contentsOfFile: marker, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        // The background sleep was in the tool's group, so it died with it.
        var gone = false
        for _ in 0 ..< 50 where !gone {
            gone = !Self.alive(background)
            if !gone { usleep(20_000) }
        }
        #expect(gone, "the tool's background child \(background) outlived it")
    }

    @Test func onlyTheThreeStandardDescriptorsReachTheChild() throws {
        // One close-on-exec pipe, and one descriptor opened without the flag, as a careless
        // library would: neither reaches the child.
        let ends = try Descriptors.pipe()
        let careless = open("/dev/null", O_RDONLY)
        defer { close(ends.read); close(ends.write); close(careless) }
        let output = try Self.run("ls /proc/$$/fd").get()
        let inherited = Self.text(output.stdout).split(separator: "\n").compactMap { Int($0) }.sorted()
        #expect(inherited == [0, 1, 2], "the shell saw descriptors \(inherited)")
    }

    @Test func everyChildLeadsItsOwnGroup_andAKeeperItsOwnSession() throws {
        for placement in [Subprocess.Placement.newGroup, .newSession] {
            let child = try Subprocess.spawn(Subprocess.Options(executable: "/bin/sleep", arguments: ["sleep", "30"], environment: [], placement: placement))
            defer { child.group.stop() }
            let stat = try String(contentsOfFile: "/proc/\(child.pid)/stat", encoding: .utf8)
            // After the ") " that ends the command: state, ppid, pgrp, session.
            let fields = stat[stat.range(of: ") ")!.upperBound...].split(separator: " ")
            #expect(pid_t(fields[2]) == child.pid, "the child leads its process group")
            #expect((pid_t(fields[3]) == child.pid) == (placement != .newGroup), "only a keeper leads a session")
        }
    }

    @Test func signalHandlingStartsClean_whateverTheAgentIgnores() throws {
        let previous = signal(SIGTERM, SIG_IGN)
        defer { signal(SIGTERM, previous) }
        let child = try Subprocess.spawn(Subprocess.Options(executable: "/bin/sleep", arguments: ["sleep", "30"], environment: []))
        defer { child.group.stop() }
        let status = try String(contentsOfFile: "/proc/\(child.pid)/status", encoding: .utf8)
        let ignored = status.split(separator: "\n").first { $0.hasPrefix("SigIgn:") }.map { $0.split(separator: "\t").last.map(String.init) ?? "" }
        let blocked = status.split(separator: "\n").first { $0.hasPrefix("SigBlk:") }.map { $0.split(separator: "\t").last.map(String.init) ?? "" }
        // Every signal but glibc's own two (32 and 33, which `sigfillset` leaves out) is at its default.
        let mask = ~(UInt64(0b11) << 31)
        #expect(ignored.flatMap { UInt64($0, radix: 16) }.map { $0 & mask } == 0, "ignored: \(ignored ?? "?")")
        #expect(blocked.flatMap { UInt64($0, radix: 16) } == 0, "blocked: \(blocked ?? "?")")
        #expect(child.group.stop() == .signaled(SIGKILL))
    }

    @Test func aMissingExecutable_throwsAndLeavesNothingOpen() {
        let before = Self.openDescriptors()
        for _ in 0 ..< 100 {
            #expect(throws: Subprocess.Failure.self) {
                try Subprocess.spawn(Subprocess.Options(executable: "/nonexistent/tool", arguments: ["tool"], environment: [], stdin: .pipe, stdout: .pipe, stderr: .pipe))
            }
        }
        // Six pipe ends leaked per try would be 600; other tests running meanwhile open a few.
        #expect(Self.openDescriptors() - before < 20)
        guard case .failure(.cannotStart) = Subprocess.run("/nonexistent/tool", []) else {
            Issue.record("run of a missing tool must fail to start")
            return
        }
    }

    @Test func aStoppedGroupIsReapedOnce_andAnswersTheSameAfterwards() throws {
        let child = try Subprocess.spawn(Subprocess.Options(executable: "/bin/true", arguments: ["true"], environment: []))
        #expect(child.group.waitAndReap() == .exited(0))
        #expect(child.group.isReaped)
        child.group.kill()  // a reaped group's id may be someone else's: nothing is sent
        #expect(child.group.stop() == .exited(0))
    }
}
