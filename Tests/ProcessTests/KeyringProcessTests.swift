import Foundation
import Synchronization
import Testing

/// Key rotation with no outage (issue 14): `ordinal keyring install`, `use`, `remove` on a
/// running cluster while a client writes through a follower — no write fails, no agent is
/// suspected — then the old key opens nothing and a restarted agent keeps the new key.
@Suite(.serialized, .timeLimit(.minutes(5))) struct KeyringProcessTests {
    static let oldKey = Data(repeating: 0x11, count: 32).base64EncodedString()
    static let newKey = Data(repeating: 0x22, count: 32).base64EncodedString()

    private func keyring(_ arguments: [String], on agent: AgentProcess) throws -> CLIRun {
        try ordinal(["keyring"] + arguments + ["--agent", agent.apiURL], timeout: 30)
    }

    /// Fingerprint -> (primary, installed) as `ordinal keyring list` prints them.
    private func listing(_ agent: AgentProcess) throws -> [String: (primary: String, installed: String)] {
        let run = try keyring(["list"], on: agent)
        #expect(run.status == 0, "\(run.errors)")
        var rows: [String: (String, String)] = [:]
        for line in run.output.split(separator: "\n").dropFirst() {
            let cells = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            if cells.count == 3 { rows[cells[0]] = (cells[1], cells[2]) }
        }
        return rows
    }

    @Test func rotationKeepsEveryWriteAndMember() async throws {
        try await withCluster("keyring", count: 3, basePort: 17890, extra: ["--bootstrap-expect", "3", "--encrypt", Self.oldKey]) { agents in
            let all = Dictionary(uniqueKeysWithValues: agents.map { ($0.name, "alive") })
            _ = try await require("one leader and all alive", within: .seconds(20)) {
                await agreedLeader(agents) != nil
                    ? await allSee(agents, all)
                    : false
            }
            #expect(try listing(agents[0]).count == 1)

            // A client writes through a follower the whole time, and membership is sampled. It
            // is stopped by a flag, not by cancelling its task: a cancelled task's request in
            // flight fails at once, which was counted as a failed write (CI saw "write 69" twice).
            let failures = Mutex<[String]>([])
            let stop = Mutex(false)
            let writer = Task {
                var written = 0
                for index in 0 ..< 400 where !stop.withLock({ $0 }) {
                    if await agents[1].put("rotation-\(index)", "\(index)", timeout: 3) == nil {
                        failures.withLock { $0.append("write \(index)") }
                    } else {
                        written += 1
                    }
                    if await !allSee(agents, all) { failures.withLock { $0.append("membership at write \(index)") } }
                    try? await Task.sleep(for: .milliseconds(50))
                }
                return written
            }

            var run = try keyring(["install", Self.newKey], on: agents[2])
            #expect(run.status == 0, "\(run.output) \(run.errors)")
            var rows = try listing(agents[0])
            #expect(rows.count == 2 && rows.values.allSatisfy { $0.installed == "3/3" }, "\(rows)")
            #expect(rows.values.contains { $0.primary == "3/3" } && rows.values.contains { $0.primary == "0/3" }, "\(rows)")

            run = try keyring(["use", Self.newKey], on: agents[0])
            #expect(run.status == 0, "\(run.output) \(run.errors)")
            try await Task.sleep(for: .seconds(2))
            run = try keyring(["remove", Self.oldKey], on: agents[1])
            #expect(run.status == 0, "\(run.output) \(run.errors)")
            rows = try listing(agents[2])
            #expect(rows.count == 1 && rows.values.first.map { $0.primary == "3/3" && $0.installed == "3/3" } == true, "\(rows)")

            // Refusals change nothing and say why.
            run = try keyring(["remove", Self.newKey], on: agents[0])
            #expect(run.status != 0 && run.output.contains("primary"), "\(run.output) \(run.errors)")
            run = try keyring(["use", Data(repeating: 0x33, count: 32).base64EncodedString()], on: agents[0])
            #expect(run.status != 0 && run.output.contains("not installed"), "\(run.output) \(run.errors)")
            run = try keyring(["install", "not-a-key"], on: agents[0])
            #expect(run.status != 0, "\(run.output)")

            try await Task.sleep(for: .seconds(2))
            stop.withLock { $0 = true }
            let written = await writer.value
            #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
            #expect(written > 20)

            // The old key now opens nothing: an agent holding only it cannot join.
            let stranger = AgentProcess(name: "p9", host: "127.0.88.9", peerPort: 17890, apiPort: 17970, directory: agents[0].directory)
            try stranger.start(join: [agents[0]], extra: ["--encrypt", Self.oldKey])
            defer { stranger.terminate() }
            try await Task.sleep(for: .seconds(4))
            #expect(await agents[0].memberStates()?["p9"] == nil)

            // A restarted agent keeps the rotated keyring although its flags name the old key.
            agents[2].terminate()
            try agents[2].restart()
            _ = try await require("p3 back with the new key", within: .seconds(20)) { await allSee(agents, all) }
            #expect(await agents[1].put("after-restart", "1", timeout: 5) != nil)
        }
    }
}
