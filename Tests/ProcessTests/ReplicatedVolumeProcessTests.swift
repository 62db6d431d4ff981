import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// Storage that survives the loss of a machine (issue 16): a pod writes a counter to its
/// replicated volume ten times a second, fsyncing each value; its agent, its pod processes
/// and its data dir are destroyed; the pod runs on another agent with the newest snapshot a
/// copy holds, the counter resumes within the recovery point objective, and the agent that
/// comes back with an empty disk becomes a copy again. Needs root and btrfs-progs (the
/// agents keep loop-mounted btrfs pools), as CI has.
@Suite(.serialized, .timeLimit(.minutes(4))) struct ReplicatedVolumeProcessTests {
    static let namespace = "vol"
    static let manifest = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: vol
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: ledger
          namespace: vol
        spec:
          serviceName: ledger
          replicas: 1
          selector:
            matchLabels:
              app: ledger
          template:
            metadata:
              labels:
                app: ledger
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: counter
                command: ["sh", "-c", "cd $VOLUME_DATA; n=$(cat counter 2>/dev/null || echo 0); echo resumed $n; while [ $n -lt 100000 ]; do n=$((n+1)); echo $n > next; sync next; mv next counter; sleep 0.1; done"]
                volumeMounts:
                - name: data
                  mountPath: /data
          volumeClaimTemplates:
          - metadata:
              name: data
              annotations:
                ordinal.dev/replicas: "3"
            spec:
              accessModes: ["ReadWriteOnce"]
              storageClassName: replicated
              resources:
                requests:
                  storage: 64Mi
        """

    /// The one PersistentVolume, as JSON, from `agent`.
    private func volume(_ agent: AgentProcess) async -> [String: Any]? {
        guard let url = URL(string: "\(agent.apiURL)/api/v1/persistentvolumes"),
              let (data, _) = try? await URLSession.shared.data(from: url),
              let list = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let items = list["items"] as? [[String: Any]], items.count == 1 else { return nil }
        return items[0]
    }

    /// The replicated source's primary, epoch and nodes, and the nodes whose copy holds a
    /// snapshot of that epoch.
    private func replication(_ agent: AgentProcess) async -> (primary: String, epoch: Int, nodes: [String], holding: Set<String>)? {
        guard let volume = await volume(agent),
              let source = (volume["spec"] as? [String: Any])?["replicated"] as? [String: Any],
              let primary = source["primary"] as? String, let epoch = source["epoch"] as? Int,
              let nodes = source["nodes"] as? [String] else { return nil }
        let copies = ((volume["status"] as? [String: Any])?["copies"] as? [[String: Any]]) ?? []
        let holding = Set(copies.filter { ($0["epoch"] as? Int) == epoch }.compactMap { $0["node"] as? String })
        return (primary, epoch, nodes, holding)
    }

    /// The counter as the pod last wrote it on `agent`'s disk.
    private func counter(on agent: AgentProcess) -> Int? {
        let volumes = agent.directory.appendingPathComponent("\(agent.name)-data/pool/volumes").path
        guard let entry = (try? FileManager.default.contentsOfDirectory(atPath: volumes))?.first,
              let text = try? String(contentsOfFile: "\(volumes)/\(entry)/counter", encoding: .utf8) else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static let extra = ["--bootstrap-expect", "3", "--volume-pool-size", "512MiB"]

    /// Applies the ledger and waits until all three agents hold a snapshot of its volume:
    /// the primary and the two others.
    private func startLedger(_ agents: [AgentProcess]) async throws -> (primary: AgentProcess, others: [AgentProcess], epoch: Int) {
        _ = try await require("one leader", within: .seconds(20)) { await agreedLeader(agents) != nil }
        let applied = try ordinal(["apply", "-f", "-", "--agent", agents[0].apiURL], input: Self.manifest)
        #expect(applied.status == 0, "\(applied.output) \(applied.errors)")
        _ = try await require("three copies hold a snapshot", within: .seconds(60)) {
            guard let state = await replication(agents[0]) else { return false }
            return state.nodes.count == 3 && state.holding.count == 3
        }
        let state = try #require(await replication(agents[0]))
        let primary = try #require(agents.first { $0.name == state.primary })
        return (primary, agents.filter { $0 !== primary }, state.epoch)
    }

    /// kill -9 of the agent and of its pod's processes, as when the machine loses power.
    private func powerOff(_ agent: AgentProcess) {
        agent.kill9()
        killSessions(identityHolders(namespace: Self.namespace)["ledger-0"] ?? [])
    }

    /// Waits until the pod runs on another agent than `gone` and returns the counter it
    /// resumed at and how long that took.
    private func resumed(awayFrom gone: AgentProcess, asking agent: AgentProcess) async throws -> (value: Int, after: Double) {
        let after = try await require("ledger-0 runs elsewhere with its data", within: .seconds(60)) {
            guard let state = await replication(agent), state.primary != gone.name else { return false }
            let logs = try? ordinal(["logs", "ledger-0", "-n", Self.namespace, "--agent", agent.apiURL])
            return logs?.status == 0 && logs?.output.contains("resumed") == true
        }
        let logs = try ordinal(["logs", "ledger-0", "-n", Self.namespace, "--agent", agent.apiURL])
        let value = try #require(logs.output.split(separator: "\n").last { $0.hasPrefix("resumed") }.flatMap { Int($0.split(separator: " ")[1]) })
        return (value, after)
    }

    @Test func aPodMovesWithItsDataWhenItsMachineIsGone() async throws {
        try await withCluster("volumes", count: 3, basePort: 18030, extra: Self.extra) { agents in
            defer { for agent in agents { unmountPool(of: agent) } }
            let (primary, others, epoch) = try await startLedger(agents)

            // The counter's history on the primary's disk, then the machine is gone.
            var history: [(Date, Int)] = []
            for _ in 0 ..< 30 {
                if let value = counter(on: primary) { history.append((Date(), value)) }
                try await Task.sleep(for: .milliseconds(100))
            }
            let killed = Date()
            powerOff(primary)
            if let value = counter(on: primary) { history.append((killed, value)) }
            unmountPool(of: primary)
            try FileManager.default.removeItem(at: primary.directory.appendingPathComponent("\(primary.name)-data"))

            // The pod runs on a survivor, from the newest snapshot a copy held.
            let (resumed, after) = try await resumed(awayFrom: primary, asking: others[0])
            let oneRPOBefore = history.last { killed.timeIntervalSince($0.0) >= 2 }?.1 ?? 0
            let last = history.last?.1 ?? 0
            #expect(resumed >= oneRPOBefore, "resumed at \(resumed); the pod had written \(oneRPOBefore) two seconds before the kill and \(last) at it")
            #expect(resumed > 0 && resumed <= last, "resumed at \(resumed), last written \(last)")
            print("replicated volume failover: Ready elsewhere \(String(format: "%.1f", after)) s after the kill; \(last - resumed) of the last writes lost (\(String(format: "%.1f", Double(last - resumed) / 10)) s at 10 writes/s)")

            // The agent comes back with an empty disk and becomes a copy again: three copies.
            try primary.start(join: [others[0]], extra: Self.extra)
            _ = try await require("\(primary.name) holds a copy again", within: .seconds(90)) {
                guard let state = await replication(others[0]) else { return false }
                return state.epoch == epoch + 1 && state.nodes.count == 3 && state.holding == Set(state.nodes)
            }
            let table = try ordinal(["get", "pv", "--agent", others[0].apiURL])
            #expect(table.output.contains("Healthy"), "\(table.output)")
        }
    }

    /// A drain of the primary's node: the pod stops, the primary's next snapshot reaches a
    /// copy, the volume moves there, and the pod resumes at exactly the value it last wrote
    /// (the old primary's data, kept as a recovery snapshot, says what that was).
    @Test func aDrainMovesThePodWithAllItsData() async throws {
        try await withCluster("volumes-drain", count: 3, basePort: 18140, extra: Self.extra) { agents in
            defer { for agent in agents { unmountPool(of: agent) } }
            let (primary, others, epoch) = try await startLedger(agents)
            _ = try await require("the counter runs", within: .seconds(20)) { (counter(on: primary) ?? 0) > 10 }
            let drained = try ordinal(["drain", primary.name, "--timeout", "120", "--agent", others[0].apiURL], timeout: 150)
            #expect(drained.status == 0 && drained.output.contains("node/\(primary.name) drained"), "\(drained.output) \(drained.errors)")
            let (resumed, _) = try await resumed(awayFrom: primary, asking: others[0])
            let state = try #require(await replication(others[0]))
            #expect(state.epoch == epoch + 1 && !state.nodes.contains(primary.name), "\(state)")
            let recovery = primary.directory.appendingPathComponent("\(primary.name)-data/pool/recovery").path
            // The old primary sets its writable volume aside on its next pass.
            _ = try await require("a recovery snapshot on \(primary.name)", within: .seconds(15)) {
                (try? FileManager.default.contentsOfDirectory(atPath: recovery))?.isEmpty == false
            }
            let kept = try #require((try? FileManager.default.contentsOfDirectory(atPath: recovery))?.first)
            let last = try #require(Int((try String(contentsOfFile: "\(recovery)/\(kept)/counter", encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(resumed == last, "the pod last wrote \(last) on \(primary.name) and resumed at \(resumed)")
        }
    }

    /// A copy's agent killed in the middle of a transfer: what its disk holds as the copy is
    /// still one whole earlier snapshot (read-only, received completely), the partial one is
    /// only in `incoming/`, and once the agent is back the transfers resume and complete.
    @Test func aCopyKilledMidTransferKeepsAWholeSnapshotAndResumes() async throws {
        let bulky = Self.manifest.replacingOccurrences(of: "name: ledger", with: "name: bulk")
            .replacingOccurrences(of: "app: ledger", with: "app: bulk")
            .replacingOccurrences(of: "ordinal.dev/replicas: \"3\"", with: "ordinal.dev/replicas: \"2\"")
            .replacingOccurrences(of: "storage: 64Mi", with: "storage: 1Gi")
            .replacingOccurrences(of: "n=$((n+1)); echo $n > next", with: "n=$((n+1)); dd if=/dev/urandom of=blob.$((n % 4)) bs=1M count=48 status=none; echo $n > next")
        try await withCluster("volumes-mid", count: 3, basePort: 18050, extra: Self.extra) { agents in
            defer { for agent in agents { unmountPool(of: agent) } }
            _ = try await require("one leader", within: .seconds(20)) { await agreedLeader(agents) != nil }
            let applied = try ordinal(["apply", "-f", "-", "--agent", agents[0].apiURL], input: bulky)
            #expect(applied.status == 0, "\(applied.output) \(applied.errors)")
            _ = try await require("the copy holds a snapshot", within: .seconds(90)) {
                (await replication(agents[0])).map { $0.holding.count == 2 } ?? false
            }
            let state = try #require(await replication(agents[0]))
            let copy = try #require(agents.first { $0.name == state.nodes[1] })
            let pool = copy.directory.appendingPathComponent("\(copy.name)-data/pool").path
            let volume = try #require(await volume(agents[0])?["metadata"] as? [String: Any])["name"] as? String ?? ""
            let incoming = "\(pool)/incoming/\(volume)"

            // Kill the copy's agent while a transfer is being received.
            _ = try await require("a transfer in progress on \(copy.name)", within: .seconds(60)) {
                !((try? FileManager.default.contentsOfDirectory(atPath: incoming)) ?? []).isEmpty
            }
            copy.kill9()
            let held = (try? FileManager.default.contentsOfDirectory(atPath: "\(pool)/copies/\(volume)")) ?? []
            #expect(held.count == 1, "one whole snapshot, not a mix: \(held)")
            for name in held {
                let shown = try btrfs(["subvolume", "show", "\(pool)/copies/\(volume)/\(name)/\(name)"])
                #expect(shown.contains("readonly"), "\(shown)")
                let received = shown.split(separator: "\n").first { $0.contains("Received UUID:") }
                    .map { $0.split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces) } ?? "-"
                #expect(received.count == 36, "btrfs receive marks a snapshot received only when it is whole: \(shown)")
            }

            // Back: the partial transfer is dropped and newer whole snapshots arrive.
            let before = held.compactMap { name -> Int? in name.split(separator: "g").last.flatMap { Int($0) } }.max() ?? 0
            try copy.restart()
            _ = try await require("\(copy.name) holds a newer whole snapshot", within: .seconds(90)) {
                let now = (try? FileManager.default.contentsOfDirectory(atPath: "\(pool)/copies/\(volume)")) ?? []
                return now.compactMap { $0.split(separator: "g").last.flatMap { Int($0) } }.contains { $0 > before }
            }
        }
    }

    /// The old primary comes back with its disk: what it wrote after its last shipped
    /// snapshot is kept as a recovery snapshot (listed, with an event), never merged into
    /// the new primary's data, and the agent becomes an ordinary copy.
    @Test func aReturningOldPrimaryKeepsARecoverySnapshotAndMergesNothing() async throws {
        try await withCluster("volumes-back", count: 3, basePort: 18040, extra: Self.extra) { agents in
            defer { for agent in agents { unmountPool(of: agent) } }
            let (primary, others, epoch) = try await startLedger(agents)
            try await Task.sleep(for: .seconds(2))
            powerOff(primary)
            let last = try #require(counter(on: primary))
            let (resumed, _) = try await resumed(awayFrom: primary, asking: others[0])
            #expect(resumed <= last)

            try primary.start(join: [others[0]], extra: Self.extra)
            _ = try await require("\(primary.name) is a copy in the new epoch", within: .seconds(90)) {
                guard let state = await replication(others[0]) else { return false }
                return state.epoch == epoch + 1 && state.holding.contains(primary.name)
            }
            let data = primary.directory.appendingPathComponent("\(primary.name)-data").path
            let listing = try ordinal(["volume", "recover", "--data-dir", data])
            #expect(listing.status == 0 && listing.output.contains("@e\(epoch)-"), "\(listing.output) \(listing.errors)")
            let recovery = try #require((try? FileManager.default.contentsOfDirectory(atPath: "\(data)/pool/recovery"))?.first)
            let kept = try String(contentsOfFile: "\(data)/pool/recovery/\(recovery)/counter", encoding: .utf8)
            #expect(Int(kept.trimmingCharacters(in: .whitespacesAndNewlines)) == last, "the old primary's last write is kept as it was")

            let volume = try #require(await volume(others[0])?["metadata"] as? [String: Any])["name"] as? String ?? ""
            let described = try ordinal(["describe", "pv", volume, "--agent", others[0].apiURL])
            #expect(described.output.contains("RecoverySnapshot"), "\(described.output)")
            let logs = try ordinal(["logs", "ledger-0", "-n", Self.namespace, "--agent", others[0].apiURL])
            #expect(logs.output.split(separator: "\n").filter { $0.hasPrefix("resumed") }.count == 1, "the pod on the new primary was never restarted: \(logs.output)")

            let deleted = try ordinal(["volume", "recover", "--data-dir", data, "--delete", recovery])
            #expect(deleted.status == 0, "\(deleted.output) \(deleted.errors)")
            #expect((try? FileManager.default.contentsOfDirectory(atPath: "\(data)/pool/recovery"))?.isEmpty == true)
        }
    }
}

/// What `btrfs ARGS…` printed.
func btrfs(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/btrfs")
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

/// Unmounts an agent's loop-mounted volume pool, as the agent does when it stops (a killed
/// agent leaves it mounted).
func unmountPool(of agent: AgentProcess) {
    let pool = agent.directory.appendingPathComponent("\(agent.name)-data/pool").path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/umount")
    process.arguments = ["-l", pool]
    process.standardError = FileHandle.nullDevice
    try? process.run()
    process.waitUntilExit()
}
