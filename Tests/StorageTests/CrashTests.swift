import Basics
import Consensus
import Foundation
import Storage
import Testing

/// Kill a writer with SIGKILL at random moments and reopen: no acknowledged entry is lost and
/// no torn entry is accepted. The writer is the `StorageCrasher` executable (built next to this
/// test bundle), which prints each index only after `persist` returned.
@Suite("Crash safety", .serialized)
struct CrashTests {
    /// Must match `entryPayload` in `Sources/StorageCrasher/main.swift`.
    static func entryPayload(_ index: UInt64) -> [UInt8] {
        var rng = SplitMix64(seed: index)
        let count = Int(rng.next() % 3_000)
        return (0 ..< count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }

    /// `StorageCrasher` in the build directory that holds the running test binary.
    static func crasherURL() throws -> URL {
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        // On Darwin the binary sits inside `…PackageTests.xctest/Contents/MacOS`.
        for _ in 0 ..< 4 {
            for name in ["StorageCrasher", "ordinal-storage-crasher"] {
                let candidate = directory.appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            }
            directory = directory.deletingLastPathComponent()
        }
        throw CrasherMissing()
    }

    struct CrasherMissing: Error, CustomStringConvertible {
        var description: String {
            "StorageCrasher not found next to the test binary; build it first (`swift build --build-tests`)"
        }
    }

    /// Runs the crasher in `mode` for `rounds` lives, each SIGKILLed after 50–300 ms, and
    /// after each calls `check` with the last index it acknowledged so far.
    private func crashRepeatedly(mode: String, rounds: Int, seed: UInt64, check: (_ round: Int, _ acknowledged: UInt64, _ path: String) throws -> Void) throws {
        let crasher = try Self.crasherURL()
        let dir = try TemporaryDirectory()
        var rng = SplitMix64(seed: seed)
        var acknowledged: UInt64 = 0
        var totalAcks = 0
        for round in 0 ..< rounds {
            let process = Process()
            process.executableURL = crasher
            process.arguments = [mode, dir.databasePath]
            let output = Pipe()
            let errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            let delay = 50 + rng.next() % 251  // ms
            usleep(UInt32(delay * 1_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal,
                    "round \(round): child exited by itself: \(String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))")

            // Every line is one write(2) of "<index>\n"; a kill cannot split it.
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let indices = text.split(separator: "\n").compactMap { UInt64($0) }
            #expect(indices.count == text.split(separator: "\n").count, "round \(round): unparsable output")
            totalAcks += indices.count
            if let last = indices.last {
                #expect(last > acknowledged, "round \(round): indices went backwards")
                acknowledged = last
            }
            try check(round, acknowledged, dir.databasePath)
        }
        #expect(totalAcks > rounds, "the writer barely ran: \(totalAcks) acknowledgements in \(rounds) rounds")
    }

    @Test(.timeLimit(.minutes(2)))
    func sigkillAtRandomPoints_losesNoAcknowledgedEntry() throws {
        try crashRepeatedly(mode: "append", rounds: 12, seed: 0xC4A5_4000) { round, acknowledged, path in
            // Reopening runs the full verification pass (checksums, contiguity).
            let storage = try SQLiteRaftStorage(path: path)
            #expect(storage.lastIndex >= acknowledged, "round \(round): acknowledged \(acknowledged), found \(storage.lastIndex)")
            let log = try storage.entries(in: 1 ..< storage.lastIndex + 1)
            for entry in log where entry.data != Self.entryPayload(entry.index) || entry.term != 1 {
                Issue.record("round \(round): entry \(entry.index) has wrong content")
            }
            #expect(storage.hardState.commit + 1 >= acknowledged)
        }
    }

    /// A snapshot install is one transaction: after a kill at any point the Raft snapshot
    /// and the state machine describe the same index, and the state is that snapshot's.
    @Test(.timeLimit(.minutes(2)))
    func sigkillDuringSnapshotInstalls_leavesWhollyOldOrWhollyNew() throws {
        try crashRepeatedly(mode: "install", rounds: 12, seed: 0x5AA9_5407) { round, acknowledged, path in
            let storage = try SQLiteRaftStorage(path: path)
            let state = try ReplicatedStateMachine(path: path)
            let snapshot = try storage.snapshot()
            #expect(snapshot.index >= acknowledged, "round \(round): acknowledged \(acknowledged), found \(snapshot.index)")
            #expect(state.appliedIndex == snapshot.index, "round \(round): the state is at \(state.appliedIndex), the log's snapshot at \(snapshot.index)")
            #expect(storage.lastIndex == snapshot.index)
            guard snapshot.index > 0 else { return }
            let row = try #require(try state.get("k"))
            #expect(row.revision == snapshot.index)
            let data = try state.snapshotData()
            let matches = row.value == Self.entryPayload(snapshot.index) && data == snapshot.data
            #expect(matches, "round \(round): the state does not match snapshot \(snapshot.index)")
        }
    }
}
