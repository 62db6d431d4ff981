import Foundation
import Testing

/// Real agents with `--bootstrap-expect 3`: election, forwarding, failover, restart.
@Suite(.serialized, .timeLimit(.minutes(3))) struct RaftProcessTests {
    static let bootstrap = ["--bootstrap-expect", "3"]

    @Test func threeAgentsElectOneLeaderAndReplicateWrites() async throws {
        try await withCluster("raft-elect", count: 3, basePort: 17710, extra: Self.bootstrap) { agents in
            _ = try await require("one leader agreed by all", within: .seconds(20)) { await agreedLeader(agents) != nil }
            let leaders = await agents.asyncCount { await $0.raftStatus()?.role == "leader" }
            #expect(leaders == 1)
            for agent in agents {
                #expect(await agent.raftStatus()?.voters == ["p1", "p2", "p3"])
            }
            let leader = try #require(await agreedLeader(agents))
            let follower = try #require(agents.first { $0.name != leader })
            let index = await follower.put("greeting", "hello")
            #expect(index != nil, "a write to a follower is forwarded to the leader and committed")
            _ = try await require("every replica applied the write", within: .seconds(5)) {
                await agents.asyncAll { await $0.get("greeting") == "hello" }
            }
        }
    }

    @Test func killingTheLeaderElectsAnotherThatCommits() async throws {
        try await withCluster("raft-failover", count: 3, basePort: 17720, extra: Self.bootstrap) { agents in
            _ = try await require("one leader", within: .seconds(20)) { await agreedLeader(agents) != nil }
            let oldLeader = try #require(await agreedLeader(agents))
            let victim = try #require(agents.first { $0.name == oldLeader })
            #expect(await victim.put("before", "1") != nil)
            victim.kill9()
            let survivors = agents.filter { $0 !== victim }
            let seconds = try await require("a survivor commits a write", within: .seconds(10)) {
                for survivor in survivors where await survivor.put("after", "2", timeout: 1) != nil { return true }
                return false
            }
            print("process test: kill -9 of the leader to a committed write: \(seconds) s")
            let newLeader = try #require(await agreedLeader(survivors))
            #expect(newLeader != oldLeader)
            try victim.restart()
            _ = try await require("the old leader catches up", within: .seconds(10)) {
                let after = await victim.get("after")
                let before = await victim.get("before")
                return after == "2" && before == "1"
            }
        }
    }

    @Test func everyAcknowledgedWriteSurvivesRestartingAllAgents() async throws {
        try await withCluster("raft-restart", count: 3, basePort: 17730, extra: Self.bootstrap) { agents in
            _ = try await require("one leader", within: .seconds(20)) { await agreedLeader(agents) != nil }
            var acknowledged: [String: String] = [:]
            for round in 0..<20 {
                let key = "k\(round)"
                if await agents[round % 3].put(key, "v\(round)") != nil { acknowledged[key] = "v\(round)" }
            }
            // Every agent runs this build, so the leader raises the cluster to log format 2;
            // entries written before and after it are read back alike.
            _ = try await require("the cluster version reaches 2 on every agent", within: .seconds(10)) {
                await agents.asyncAll { await $0.raftStatus()?.clusterVersion == 2 }
            }
            for round in 20..<30 {
                let key = "k\(round)"
                if await agents[round % 3].put(key, "v\(round)") != nil { acknowledged[key] = "v\(round)" }
            }
            #expect(acknowledged.count == 30)
            agents.forEach { $0.kill9() }
            for agent in agents { try agent.restart() }
            _ = try await require("a leader after restart", within: .seconds(20)) { await agreedLeader(agents) != nil }
            for agent in agents {
                #expect(await agent.raftStatus()?.clusterVersion == 2, "\(agent.name) forgot the cluster version")
            }
            for agent in agents {
                _ = try await require("\(agent.name) has every acknowledged write", within: .seconds(10)) {
                    for (key, value) in acknowledged where await agent.get(key) != value { return false }
                    return true
                }
            }
        }
    }

    @Test func sigtermOnTheLeaderHandsOverLeadership() async throws {
        try await withCluster("raft-transfer", count: 3, basePort: 17740, extra: Self.bootstrap) { agents in
            _ = try await require("one leader", within: .seconds(20)) { await agreedLeader(agents) != nil }
            let leader = try #require(await agreedLeader(agents))
            let victim = try #require(agents.first { $0.name == leader })
            victim.terminate()
            #expect(victim.process?.terminationStatus == 0)
            let survivors = agents.filter { $0 !== victim }
            let seconds = try await require("a new leader", within: .seconds(5)) { await agreedLeader(survivors) != nil }
            #expect(seconds < 2, "transfer should not wait for an election timeout")
            #expect(victim.log.contains("leaving the cluster"))
        }
    }

    @Test func aCorruptDatabaseIsRefusedWithAClearError() async throws {
        let directory = try makeTestDirectory("raft-corrupt")
        defer { try? FileManager.default.removeItem(at: directory) }
        let dataDir = directory.appendingPathComponent("p1-data")
        try FileManager.default.createDirectory(at: dataDir, withIntermediateDirectories: true)
        try Data(repeating: 0x5A, count: 8192).write(to: dataDir.appendingPathComponent("ordinal.db"))
        let agent = AgentProcess(name: "p1", host: "127.0.88.1", peerPort: 17750, apiPort: 17830, directory: directory)
        try agent.start()
        agent.process?.waitUntilExit()
        #expect(agent.process?.terminationStatus != 0)
        #expect(agent.log.contains("refusing to start"))
        #expect(agent.log.contains("ordinal.db"))
    }
}

extension Array where Element: AnyObject {
    func asyncAll(_ predicate: (Element) async -> Bool) async -> Bool {
        for element in self where await !predicate(element) { return false }
        return true
    }

    func asyncCount(_ predicate: (Element) async -> Bool) async -> Int {
        var count = 0
        for element in self where await predicate(element) { count += 1 }
        return count
    }
}
