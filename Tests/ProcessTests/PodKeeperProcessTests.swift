import Foundation
import Testing

/// Pods outlive their agent under their keepers (issue 27): an agent killed with -9 and
/// restarted within its lease adopts its pods and restarts none of them; one that stays dead
/// loses them at its lease, and they run elsewhere. `/proc` is the judge.
@Suite(.serialized, .timeLimit(.minutes(3))) struct PodKeeperProcessTests {
    static let namespace = "keep"
    static let lease = 8.0
    static let manifest = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: keep
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: kept
          namespace: keep
        spec:
          serviceName: kept
          replicas: 10
          podManagementPolicy: Parallel
          selector:
            matchLabels:
              app: kept
          template:
            metadata:
              labels:
                app: kept
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: ordinal/pause
              - name: shell
                command: ["sh", "-c", "sleep 600 & exec sleep 600"]
        """

    private func pods(_ agent: AgentProcess) async -> [String: (node: String, restarts: Int)]? {
        await readyPods(agent, namespace: Self.namespace)
    }

    /// All ten pods Ready and each held by exactly one keeper session: name -> session.
    private func held(_ agent: AgentProcess) async -> [String: Int]? {
        guard let placed = await pods(agent), placed.count == 10 else { return nil }
        let holders = identityHolders(namespace: Self.namespace)
        guard placed.keys.allSatisfy({ holders[$0]?.count == 1 }) else { return nil }
        return placed.keys.reduce(into: [:]) { $0[$1] = holders[$1]!.first! }
    }

    @Test func anAgentKilledAndRestartedWithinItsLeaseRestartsNoPodAndOneThatStaysDeadLosesThemAtTheLease() async throws {
        try await withCluster("keeper", count: 3, basePort: 18300, extra: ["--bootstrap-expect", "3", "--lease", "8s"]) { agents in
            let leader = try #require(try await waitForLeader(agents))
            // Every pod on one follower: the other two agents are cordoned.
            let host = try #require(agents.first { $0.name != leader })
            let api = ["--agent", agents[0].apiURL]
            for other in agents where other !== host {
                let cordoned = try ordinal(["cordon", other.name] + api)
                #expect(cordoned.status == 0, "\(cordoned.errors)")
            }
            let applied = try ordinal(["apply", "-f", "-"] + api, input: Self.manifest)
            #expect(applied.status == 0, "\(applied.errors)")
            let before = try #require(try await waitFor("10 pods running on \(host.name)", within: .seconds(60)) { await held(agents[0]) })
            let placed = try #require(await pods(agents[0]))
            #expect(placed.values.allSatisfy { $0.node == host.name && $0.restarts == 0 })

            let watch = HolderWatch(namespace: Self.namespace)
            async let sampling: Void = watch.run()
            host.kill9()
            try await Task.sleep(for: .seconds(1))
            #expect(identityHolders(namespace: Self.namespace).mapValues { $0.first! } == before, "the pods outlive their agent")
            try host.restart()
            // Well past the lease the restarted agent found: every pod still in the same
            // keeper session (none restarted, none fenced), Ready, with no container restart.
            try await Task.sleep(for: .seconds(Self.lease + 2))
            let after = try #require(try await waitFor("the pods Ready again", within: .seconds(20)) { await held(agents[0]) })
            #expect(after == before, "a pod was restarted: \(before) -> \(after)")
            let again = try #require(await pods(agents[0]))
            #expect(again.values.allSatisfy { $0.node == host.name && $0.restarts == 0 }, "\(again)")
            #expect(host.log.components(separatedBy: "pod adopted from its keeper").count - 1 == 10, "every pod adopted")

            // Killed and left dead: every pod gone by the lease, then running elsewhere.
            for other in agents where other !== host { _ = try ordinal(["uncordon", other.name] + api) }
            let survivor = try #require(agents.first { $0 !== host })
            host.kill9()
            let gone = try await require("every pod of \(host.name) dies", within: .seconds(Self.lease + 4)) {
                identityHolders(namespace: Self.namespace).isEmpty
            }
            #expect(gone <= Self.lease + 0.6, "an \(Self.lease) s lease held the pods \(gone) s")
            #expect(gone >= 1, "the pods died with their agent, not at their lease (\(gone) s)")
            _ = try await require("every pod runs elsewhere", within: .seconds(40)) {
                guard let now = await held(survivor), let placement = await pods(survivor) else { return false }
                return now.count == 10 && placement.values.allSatisfy { $0.node != host.name }
            }
            await watch.stop()
            await sampling
            let violations = await watch.violations
            #expect(violations.isEmpty, "\(violations)")
        }
    }

    private func waitForLeader(_ agents: [AgentProcess]) async throws -> String? {
        _ = try await require("one leader", within: .seconds(20)) { await agreedLeader(agents) != nil }
        return await agreedLeader(agents)
    }

    private func waitFor<T>(_ what: String, within limit: Duration, _ value: () async -> T?) async throws -> T? {
        var found: T?
        _ = try await require(what, within: limit) {
            found = await value()
            return found != nil
        }
        return found
    }
}
