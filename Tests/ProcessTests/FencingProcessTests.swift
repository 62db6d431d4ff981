import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// The at-most-one guarantee from outside (issue 5): real agents, real pod processes, and
/// `/proc` as the judge. A set without volumes, so its pods may move.
@Suite(.serialized, .timeLimit(.minutes(3))) struct FencingProcessTests {
    static let namespace = "fence"
    static let manifest = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: fence
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: roam
          namespace: fence
        spec:
          serviceName: roam
          replicas: 3
          podManagementPolicy: Parallel
          selector:
            matchLabels:
              app: roam
          template:
            metadata:
              labels:
                app: roam
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: ordinal/pause
              - name: shell
                command: ["sh", "-c", "echo started $(GREETING); sleep 600 & exec sleep 600"]
                env:
                - name: GREETING
                  value: hello $(POD_NAME)
              - name: ticker
                command: ["sh", "-c", "i=0; while [ $i -lt 3000 ]; do echo tick $i; i=$((i+1)); sleep 0.2; done; exec sleep 600"]
        """

    /// Every pod Running and Ready on a node, as `agent` reports them: name -> node.
    private func placement(_ agent: AgentProcess) async -> [String: String]? {
        await readyPods(agent, namespace: Self.namespace)?.mapValues(\.node)
    }

    private func allRunning(_ agent: AgentProcess) async -> [String: String]? {
        guard let placed = await placement(agent), placed.count == 3 else { return nil }
        let holders = identityHolders(namespace: Self.namespace)
        return placed.keys.allSatisfy { holders[$0]?.count == 1 } ? placed : nil
    }

    /// Applies the set and waits until every pod runs as exactly one session.
    private func start(_ agents: [AgentProcess]) async throws -> [String: String] {
        _ = try await require("one leader", within: .seconds(20)) { await agreedLeader(agents) != nil }
        let applied = try ordinal(["apply", "-f", "-", "--agent", agents[0].apiURL], input: Self.manifest)
        #expect(applied.status == 0, "\(applied.errors)")
        _ = try await require("3 pods running", within: .seconds(30)) { await allRunning(agents[0]) != nil }
        return try #require(await allRunning(agents[0]))
    }

    /// A follower that hosts a pod, and that pod.
    private func victim(_ agents: [AgentProcess], _ placed: [String: String]) async throws -> (AgentProcess, String) {
        let leader = try #require(await agreedLeader(agents))
        let agent = try #require(agents.first { $0.name != leader && placed.values.contains($0.name) })
        let pod = try #require(placed.first { $0.value == agent.name }?.key)
        return (agent, pod)
    }

    @Test func aKilledAgentsPodsDieAtItsLeaseAndMove() async throws {
        try await withCluster("fence-kill", count: 3, basePort: 17790, extra: ["--bootstrap-expect", "3"]) { agents in
            let placed = try await start(agents)
            let (agent, pod) = try await victim(agents, placed)
            let survivor = try #require(agents.first { $0 !== agent })
            let logs = try ordinal(["logs", pod, "-c", "shell", "-n", Self.namespace, "--agent", survivor.apiURL])
            #expect(logs.output == "started hello \(pod)\n", "logs read through another agent: \(logs.errors)")
            let watch = HolderWatch(namespace: Self.namespace)
            async let sampling: Void = watch.run()
            agent.kill9()
            let gone = try await require("\(pod)'s processes die", within: .seconds(6)) {
                identityHolders(namespace: Self.namespace)[pod] == nil
            }
            // Its keeper holds it until the lease the agent last renewed passes (4 s).
            #expect(gone >= 1 && gone <= 4.6, "the pod outlived its agent by \(gone) s")
            _ = try await require("\(pod) runs elsewhere", within: .seconds(30)) {
                guard let now = await allRunning(survivor) else { return false }
                return now[pod] != nil && now[pod] != agent.name
            }
            await watch.stop()
            await sampling
            let violations = await watch.violations
            let samples = await watch.samples
            #expect(violations.isEmpty, "\(violations)")
            #expect(samples > 20)
        }
    }

    /// `ordinal logs` through an agent that does not run the pod: the bytes come over the
    /// peer transport (no agent calls another's HTTP API), the last lines with `--tail`,
    /// and with `-f` what the container writes from then on, in order.
    @Test func logsOfAPodOnAnotherAgentComeOverThePeerTransport() async throws {
        try await withCluster("fence-logs", count: 3, basePort: 17860, extra: ["--bootstrap-expect", "3"]) { agents in
            let placed = try await start(agents)
            let (pod, node) = try #require(placed.sorted { $0.key < $1.key }.first)
            let reader = try #require(agents.first { $0.name != node })
            _ = try await require("the ticker wrote a few lines", within: .seconds(10)) {
                let tail = try? ordinal(["logs", pod, "-c", "ticker", "-n", Self.namespace, "--agent", reader.apiURL])
                return (tail?.output.split(separator: "\n").count ?? 0) >= 3
            }
            let tail = try ordinal(["logs", pod, "-c", "ticker", "--tail", "2", "-n", Self.namespace, "--agent", reader.apiURL])
            #expect(tail.status == 0, "\(tail.errors)")
            #expect(tail.output.split(separator: "\n").count == 2, "\(tail.output)")
            let followed = try ordinal(["logs", pod, "-c", "ticker", "-f", "--tail", "1", "-n", Self.namespace, "--agent", reader.apiURL], timeout: 3)
            let ticks = followed.output.split(separator: "\n").compactMap { line in line.split(separator: " ").last.flatMap { Int($0) } }
            #expect(ticks.count >= 8, "followed for 3 s at 5 lines a second: \(followed.output) \(followed.errors)")
            #expect(ticks == Array((ticks.first ?? 0) ..< (ticks.first ?? 0) + ticks.count), "in order, none lost: \(ticks)")
        }
    }

    @Test func aFrozenAgentsPodsDieBeforeTheyRunElsewhereAndStayDeadAfterItThaws() async throws {
        try await withCluster("fence-stop", count: 3, basePort: 17800, extra: ["--bootstrap-expect", "3"]) { agents in
            let placed = try await start(agents)
            let (agent, pod) = try await victim(agents, placed)
            let survivor = try #require(agents.first { $0 !== agent })
            let watch = HolderWatch(namespace: Self.namespace)
            async let sampling: Void = watch.run()
            agent.send(SIGSTOP)
            let fenced = try await require("the keeper kills \(pod) at the lease", within: .seconds(6)) {
                identityHolders(namespace: Self.namespace)[pod] == nil
            }
            #expect(fenced <= 4.5, "a 4 s lease held \(fenced) s")
            _ = try await require("\(pod) runs elsewhere", within: .seconds(30)) {
                guard let now = await allRunning(survivor) else { return false }
                return now[pod] != nil && now[pod] != agent.name
            }
            agent.send(SIGCONT)
            try await Task.sleep(for: .seconds(4))
            await watch.stop()
            await sampling
            let violations = await watch.violations
            #expect(violations.isEmpty, "\(violations)")
            let now = try #require(await allRunning(survivor), "after the thaw every pod runs once")
            #expect(now[pod] != agent.name)
        }
    }

    @Test func anAgentCutOffFromEveryPeerKillsItsPodsAfterTheLease() async throws {
        try await withCluster("fence-alone", count: 3, basePort: 17810, extra: ["--bootstrap-expect", "3"]) { agents in
            let placed = try await start(agents)
            let (agent, pod) = try await victim(agents, placed)
            let others = agents.filter { $0 !== agent }
            for other in others { other.send(SIGSTOP) }
            defer { for other in others { other.send(SIGCONT) } }
            let fenced = try await require("\(agent.name) kills its pods", within: .seconds(6)) {
                identityHolders(namespace: Self.namespace)[pod] == nil
            }
            #expect(fenced <= 4.5, "a 4 s lease held \(fenced) s")
            for other in others { other.send(SIGCONT) }
            _ = try await require("every pod runs again", within: .seconds(30)) { await allRunning(agent) != nil }
        }
    }
}
