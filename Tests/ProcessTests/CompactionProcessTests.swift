import Foundation
import Testing

/// Real agents keep their Raft log bounded: they snapshot and compact at the threshold, a
/// learner that joins late catches up from a snapshot, and agents restart from compacted
/// storage with every acknowledged write.
@Suite(.serialized, .timeLimit(.minutes(5))) struct CompactionProcessTests {
    static let threshold: UInt64 = 500
    static let flags = ["--bootstrap-expect", "3", "--snapshot-entries", "\(threshold)"]
    /// Writes in the test; `ORDINAL_COMPACTION_WRITES` runs more by hand.
    static let writes = ProcessInfo.processInfo.environment["ORDINAL_COMPACTION_WRITES"].flatMap(Int.init) ?? 5_000

    /// `count` writes of keys `k0…` through 16 concurrent writers spread over the agents.
    /// - Returns: how many were acknowledged.
    private func write(_ count: Int, through agents: [AgentProcess], value: String = "") async -> Int {
        await withTaskGroup(of: Int.self) { group in
            for writer in 0 ..< 16 {
                group.addTask {
                    var acknowledged = 0
                    for key in stride(from: writer, to: count, by: 16) where await agents[key % agents.count].put("k\(key % 1_000)", "v\(key)" + value, timeout: 5) != nil {
                        acknowledged += 1
                    }
                    return acknowledged
                }
            }
            return await group.reduce(0, +)
        }
    }

    @Test func theLogStaysBoundedAndALateLearnerCatchesUpBySnapshot() async throws {
        try await withCluster("compaction", count: 4, basePort: 17810, extra: Self.flags) { agents in
            let voters = Array(agents.prefix(3))
            let late = agents[3]
            late.kill9()
            _ = try await require("one leader", within: .seconds(20)) { await agreedLeader(voters) != nil }
            let started = Date()
            let acknowledged = await write(Self.writes, through: voters)
            print("process test: \(acknowledged) writes in \(Date().timeIntervalSince(started)) s")
            #expect(acknowledged == Self.writes)
            for agent in voters {
                let status = try #require(await agent.raftStatus())
                #expect(status.snapshotIndex > 0, "\(agent.name) never compacted")
                #expect(status.lastIndex - status.snapshotIndex <= Self.threshold + 64, "\(agent.name) holds \(status.lastIndex - status.snapshotIndex) entries")
            }
            let target = try #require(await voters[0].raftStatus()).commitIndex
            try late.restart()
            let seconds = try await require("the late agent catches up", within: .seconds(20)) {
                guard let status = await late.raftStatus() else { return false }
                return status.appliedIndex >= target
            }
            print("process test: a learner joining after \(target) entries caught up in \(seconds) s")
            let status = try #require(await late.raftStatus())
            #expect(status.snapshotIndex > 0, "the late agent must have installed a snapshot")
            let leader = try #require(await voters[0].raftStatus()?.leader)
            let learners = try #require(await voters[0].raftStatus()?.learners)
            #expect(learners.contains(late.name) || leader == late.name)
            for key in [0, 499, 999] {
                #expect(await late.get("k\(key)") != nil, "k\(key) missing on the late agent")
            }

            // Restart everything from compacted storage: every key is still there.
            agents.forEach { $0.kill9() }
            for agent in agents { try agent.restart() }
            _ = try await require("a leader after restart", within: .seconds(20)) { await agreedLeader(voters) != nil }
            for agent in agents {
                _ = try await require("\(agent.name) has the last write of k0", within: .seconds(10)) {
                    let first = await agent.get("k0")
                    let last = await agent.get("k999")
                    return first != nil && last != nil
                }
            }
        }
    }

    /// A follower that must catch up from a snapshot is killed with SIGKILL at several
    /// moments of its catch-up (the install included), and always comes back whole.
    @Test func killedDuringSnapshotInstallsAFollowerComesBack() async throws {
        try await withCluster("install-kill", count: 3, basePort: 17850, extra: Self.flags) { agents in
            _ = try await require("one leader", within: .seconds(20)) { await agreedLeader(agents) != nil }
            let leaderName = await agreedLeader(agents) ?? ""
            guard let follower = agents.first(where: { $0.name != leaderName }) else { return }
            let writers = agents.filter { $0 !== follower }
            follower.kill9()
            let padding = String(repeating: "x", count: 2_000)
            #expect(await write(3_000, through: writers, value: padding) == 3_000)
            let target = try #require(await writers[0].raftStatus()).commitIndex
            for delay in [30, 80, 150, 300] {
                try follower.restart()
                try await Task.sleep(for: .milliseconds(delay))
                follower.kill9()
            }
            try follower.restart()
            let seconds = try await require("the follower catches up after the kills", within: .seconds(20)) {
                guard let status = await follower.raftStatus() else { return false }
                return status.appliedIndex >= target && status.snapshotIndex > 0
            }
            print("process test: after 4 kills during catch-up the follower caught up in \(seconds) s")
            #expect(await follower.get("k999")?.hasSuffix(padding) == true)
        }
    }
}
