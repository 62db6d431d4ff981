import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The parts of a pod the process tests compare across agents.
struct PodView: Decodable, Equatable {
    struct Meta: Decodable, Equatable {
        let name: String
        let uid: String
        let resourceVersion: String
        let labels: [String: String]?
    }
    struct Spec: Decodable, Equatable {
        struct Container: Decodable, Equatable { let image: String? }
        let nodeName: String?
        let containers: [Container]
    }
    struct Status: Decodable, Equatable {
        let phase: String?
        let podIP: String?
    }
    let metadata: Meta
    let spec: Spec
    let status: Status?
}

private struct PodListView: Decodable {
    let items: [PodView]
}

extension AgentProcess {
    /// The pods in `default` as this agent's replica holds them.
    func pods() async -> [PodView]? {
        guard let url = URL(string: "\(apiURL)/api/v1/namespaces/default/pods") else { return nil }
        var request = URLRequest(url: url)
        request.timeoutInterval = 2
        guard let (data, _) = try? await URLSession.shared.data(for: request) else { return nil }
        return try? JSONDecoder().decode(PodListView.self, from: data).items
    }
}

/// The StatefulSet controller end to end: real agents, the real CLI, Kubernetes manifests.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ControllerProcessTests {
    static let bootstrap = ["--bootstrap-expect", "3"]
    /// `../shared/manifests/seed-statefulset.yaml`, copied unchanged into the repository.
    static let manifest = repositoryRoot.appendingPathComponent("cluster/manifests/seed-statefulset.yaml")

    /// Every agent holds the same `count` Running pods, all with `image`.
    private func converged(_ agents: [AgentProcess], count: Int, image: String) async -> Bool {
        var views: [[PodView]] = []
        for agent in agents {
            guard let pods = await agent.pods() else { return false }
            views.append(pods)
        }
        guard let first = views.first, views.allSatisfy({ $0 == first }), first.count == count else { return false }
        return first.allSatisfy { $0.status?.phase == "Running" && $0.spec.containers.first?.image == image && $0.spec.nodeName != nil }
    }

    @Test func applyScaleUpdateAndDeleteOnThreeAgents() async throws {
        try await withCluster("controller", count: 3, basePort: 17750, extra: Self.bootstrap) { agents in
            _ = try await require("one leader", within: .seconds(20)) { await agreedLeader(agents) != nil }
            let api = ["--agent", agents[1].apiURL]
            let seed = try String(contentsOf: Self.manifest, encoding: .utf8)

            let applied = try ordinal(["apply", "-f", Self.manifest.path] + api)
            #expect(applied.status == 0, "\(applied.errors)")
            #expect(applied.output == "statefulset.apps/my-statefulset created\n")
            _ = try await require("3 pods on every agent", within: .seconds(20)) { await converged(agents, count: 3, image: "nginx") }
            let pods = try #require(await agents[0].pods())
            #expect(pods.map(\.metadata.name).sorted() == ["my-statefulset-0", "my-statefulset-1", "my-statefulset-2"])
            #expect(Set(pods.compactMap(\.spec.nodeName)).count == 3, "one pod per agent")
            #expect(Set(pods.compactMap(\.status?.podIP)).count == 3)

            let again = try ordinal(["apply", "-f", "-"] + api, input: seed)
            #expect(again.output == "statefulset.apps/my-statefulset unchanged\n")

            #expect(try ordinal(["scale", "statefulset", "my-statefulset", "--replicas=5"] + api).status == 0)
            _ = try await require("5 pods", within: .seconds(20)) { await converged(agents, count: 5, image: "nginx") }
            #expect(try ordinal(["scale", "sts", "my-statefulset", "--replicas", "2"] + api).status == 0)
            _ = try await require("2 pods", within: .seconds(20)) { await converged(agents, count: 2, image: "nginx") }
            let claims = try ordinal(["get", "pvc"] + api)
            #expect(claims.output.components(separatedBy: "\n").filter { $0.hasPrefix("data-my-statefulset-") }.count == 5,
                    "scale-down keeps the claims (Retain)")

            let edited = seed.replacingOccurrences(of: "image: nginx", with: "image: nginx:1.27")
            let update = try ordinal(["apply", "-f", "-"] + api, input: edited)
            #expect(update.output == "statefulset.apps/my-statefulset configured\n")
            let rollout = try ordinal(["rollout", "status", "statefulset", "my-statefulset", "--timeout", "30"] + api)
            #expect(rollout.status == 0, "\(rollout.errors)")
            #expect(rollout.output.contains("statefulset rolling update complete 3 pods at revision my-statefulset-"))
            _ = try await require("3 updated pods on every agent", within: .seconds(20)) { await converged(agents, count: 3, image: "nginx:1.27") }

            let table = try ordinal(["get", "pods", "-o", "wide"] + ["--agent", agents[2].apiURL])
            let header = table.output.components(separatedBy: "\n").first ?? ""
            #expect(header.hasPrefix("NAME") && header.contains("READY") && header.contains("STATUS") && header.contains("NODE"))
            #expect(table.output.contains("my-statefulset-0   1/1     Running"))

            let deleted = try ordinal(["delete", "statefulset", "my-statefulset"] + api)
            #expect(deleted.output == "statefulset.apps \"my-statefulset\" deleted\n")
            _ = try await require("no pods anywhere", within: .seconds(20)) { await converged(agents, count: 0, image: "") }
            let gone = try ordinal(["get", "sts", "my-statefulset"] + api)
            #expect(gone.status != 0)
            #expect(gone.errors.contains("Error from server (NotFound): statefulsets.apps \"my-statefulset\" not found"))
        }
    }

    @Test func badManifestsAreReportedAndChangeNothing() async throws {
        try await withCluster("manifests", count: 3, basePort: 17760, extra: Self.bootstrap) { agents in
            _ = try await require("one leader", within: .seconds(20)) { await agreedLeader(agents) != nil }
            let api = ["--agent", agents[0].apiURL]
            let seed = try String(contentsOf: Self.manifest, encoding: .utf8)
            let invalid = seed.replacingOccurrences(of: "replicas: 3", with: "replicas: -1")
            let refused = try ordinal(["apply", "-f", "-"] + api, input: invalid)
            #expect(refused.status != 0)
            #expect(refused.errors.contains("spec.replicas: Invalid value: -1: must be greater than or equal to 0"))

            let mixed = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: not-here
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: my-service
                spec:
                  clusterIP: None
                  selector:
                    app: my-app
                  ports:
                  - name: http
                    port: 80
                """
            let partial = try ordinal(["apply", "-f", "-"] + api, input: mixed)
            #expect(partial.status != 0, "one document failed")
            #expect(partial.errors.contains("no matches for kind \"Deployment\" in version \"apps/v1\""))
            #expect(partial.output == "service/my-service created\n")
            let garbage = try ordinal(["apply", "-f", "-"] + api, input: "kind: [unclosed\n")
            #expect(garbage.status != 0)
            #expect(await agents[0].pods()?.isEmpty == true)

            // Integers at their extremes, through a follower and the leader: refused with the
            // field's message, and every agent lives on (this one took the cluster down for
            // good: each new leader trapped on `start + replicas`).
            let leader = try #require(await agreedLeader(agents))
            for agent in agents {
                for (field, text) in [("ordinals.start", "ordinals:\n    start: 9223372036854775807"), ("replicas", "replicas: 9223372036854775807")] {
                    let extreme = seed.replacingOccurrences(of: "replicas: 3", with: text)
                    let answer = try ordinal(["apply", "-f", "-", "--agent", agent.apiURL], input: extreme)
                    #expect(answer.status != 0)
                    #expect(answer.errors.contains("spec.\(field): Invalid value: 9223372036854775807: must be between 0 and 2147483647, inclusive"), "\(answer.errors)")
                }
            }
            #expect(agents.allSatisfy { $0.isRunning })
            #expect(await agreedLeader(agents) == leader)
            let fine = try ordinal(["apply", "-f", "-"] + api, input: seed)
            #expect(fine.status == 0, "\(fine.errors)")
        }
    }
}
