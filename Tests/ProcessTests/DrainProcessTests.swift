import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization
import Testing

/// Draining a node under a PodDisruptionBudget, with `ordinal drain` and `kubectl drain`,
/// on three real agents: a ZooKeeper-like set of 3 with `maxUnavailable: 1` never has two
/// pods unavailable, every pod ends Ready elsewhere, the node stays cordoned, and an
/// eviction that would break the budget is refused with 429.
@Suite(.serialized, .timeLimit(.minutes(5))) struct DrainProcessTests {
    static let manifest = """
    apiVersion: v1
    kind: Service
    metadata: {name: zk-hs}
    spec:
      clusterIP: None
      selector: {app: zk}
      ports: [{name: client, port: 2181}]
    ---
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata: {name: zk-pdb}
    spec:
      selector: {matchLabels: {app: zk}}
      maxUnavailable: 1
    ---
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: zk}
    spec:
      serviceName: zk-hs
      replicas: 3
      selector: {matchLabels: {app: zk}}
      template:
        metadata: {labels: {app: zk}}
        spec:
          containers:
          - name: zk
            image: ordinal/pause
            readinessProbe:
              exec: {command: ["true"]}
              initialDelaySeconds: 2
              periodSeconds: 1
    """

    static let localSet = """
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: data}
    spec:
      serviceName: data
      replicas: 1
      selector: {matchLabels: {app: data}}
      template:
        metadata: {labels: {app: data}}
        spec:
          containers: [{name: main, image: ordinal/pause}]
      volumeClaimTemplates:
      - metadata: {name: disk}
        spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Mi}}}
    """

    @Test func drainingUnderABudgetNeverTakesTwoPodsAway() async throws {
        try await withCluster("drain", count: 3, basePort: 18120, extra: ["--bootstrap-expect", "3"]) { agents in
            _ = try await require("one leader agreed by all", within: .seconds(20)) { await agreedLeader(agents) != nil }
            let api = ["--agent", agents[0].apiURL]
            let applied = try ordinal(["apply", "-f", "-"] + api, input: Self.manifest)
            #expect(applied.status == 0, "\(applied.output)\(applied.errors)")
            let pods = PodSampler(apiURL: agents[1].apiURL, prefix: "zk-")
            _ = try await require("three zk pods Ready", within: .seconds(60)) { await pods.available()?.count == 3 }

            // The Eviction subresource: one eviction spends the budget, the next gets 429.
            let first = await pods.evict("zk-0")
            #expect(first.status == 201, "\(first.body)")
            let second = await pods.evict("zk-1")
            #expect(second.status == 429, "\(second.body)")
            #expect(second.body.contains(#""reason":"TooManyRequests""#) && second.body.contains("Cannot evict pod as it would violate the pod's disruption budget."), "\(second.body)")
            #expect(second.body.contains("The disruption budget zk-pdb needs 2 healthy pods and has 2 currently"), "\(second.body)")
            _ = try await require("zk-0 back and Ready", within: .seconds(60)) { await pods.available()?.count == 3 }

            // ordinal drain: one pod at a time, each Ready elsewhere before the next.
            let node = try #require(await pods.busiestNode())
            let drained = try await pods.watchingAvailability { try ordinal(["drain", node, "--timeout", "120"] + api, timeout: 150) }
            #expect(drained.run.status == 0, "\(drained.run.output)\(drained.run.errors)")
            #expect(drained.run.output.hasSuffix("node/\(node) drained\n"), "\(drained.run.output)")
            #expect(drained.fewestAvailable >= 2, "at one instant only \(drained.fewestAvailable) of 3 zk pods were available")
            #expect(drained.samples > 10, "the sampler barely ran: \(drained.samples) samples")
            let placed = try #require(await pods.nodes())
            #expect(placed.count == 3 && !placed.values.contains(node), "zk pods after the drain: \(placed)")
            let nodes = try ordinal(["get", "nodes"] + api).output
            #expect(nodes.split(separator: "\n").contains { $0.hasPrefix(node + " ") && $0.contains("SchedulingDisabled") }, "\(nodes)")

            // kubectl drain (the oldest and newest here) evicts all at once and retries the
            // 429s; the budget still holds.
            var cordoned = node
            for kubectl in Kubectl.present.prefix(1) + Kubectl.present.dropFirst().suffix(1) {
                let home = agents[0].directory.appendingPathComponent("home-drain-\(kubectl.version)")
                try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
                #expect(try ordinal(["uncordon", cordoned] + api).status == 0)
                let next = try #require(await pods.busiestNode())
                let result = try await pods.watchingAvailability {
                    try kubectl.run(["drain", next, "--ignore-daemonsets", "--timeout=150s"], server: agents[0].apiURL, home: home, timeout: 170)
                }
                #expect(result.run.status == 0, "kubectl \(kubectl.version) drain: \(result.run.output)\(result.run.errors)")
                #expect(result.fewestAvailable >= 2, "kubectl \(kubectl.version) drain: at one instant only \(result.fewestAvailable) of 3 zk pods were available")
                _ = try await require("every zk pod Ready off \(next)", within: .seconds(60)) {
                    guard let ready = await pods.available(), ready.count == 3, let placed = await pods.nodes() else { return false }
                    return !placed.values.contains(next)
                }
                cordoned = next
            }

            // A pod whose volume lives on the node is refused unless asked.
            #expect(try ordinal(["apply", "-f", "-"] + api, input: Self.localSet).status == 0)
            let data = PodSampler(apiURL: agents[1].apiURL, prefix: "data-")
            _ = try await require("data-0 Ready", within: .seconds(60)) { await data.available()?.count == 1 }
            let home = try #require(await data.nodes()?["data-0"])
            let refused = try ordinal(["drain", home, "--timeout", "60"] + api, timeout: 90)
            #expect(refused.status == 1 && refused.errors.contains("cannot move Pods with volumes on node \(home)") && refused.errors.contains("default/data-0"),
                    "\(refused.output)\(refused.errors)")
            let moved = try ordinal(["drain", home, "--delete-local-volumes", "--timeout", "90"] + api, timeout: 120)
            #expect(moved.status == 0, "\(moved.output)\(moved.errors)")
            let after = await data.nodes()?["data-0"]
            #expect(after != nil && after != home, "data-0 is on \(after ?? "nothing") after draining \(home)")
        }
    }
}

/// Reads the pods of one set straight from an agent's API, as often as asked.
struct PodSampler {
    let apiURL: String
    let prefix: String

    private struct PodList: Decodable {
        struct Item: Decodable {
            struct Meta: Decodable { var name: String; var deletionTimestamp: String? }
            struct Spec: Decodable { var nodeName: String? }
            struct Status: Decodable {
                struct Condition: Decodable { var type: String; var status: String }
                var phase: String?
                var conditions: [Condition]?
            }
            var metadata: Meta
            var spec: Spec
            var status: Status?
        }
        var items: [Item]
    }

    private func items() async -> [PodList.Item]? {
        guard let url = URL(string: "\(apiURL)/api/v1/namespaces/default/pods") else { return nil }
        var request = URLRequest(url: url)
        request.timeoutInterval = 2
        guard let (data, _) = try? await URLSession.shared.data(for: request),
              let list = try? JSONDecoder().decode(PodList.self, from: data) else { return nil }
        return list.items.filter { $0.metadata.name.hasPrefix(prefix) }
    }

    /// Names of the set's pods that are Running, Ready and not being deleted.
    func available() async -> Set<String>? {
        guard let items = await items() else { return nil }
        return Set(items.filter { item in
            item.metadata.deletionTimestamp == nil && item.status?.phase == "Running"
                && item.status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true
        }.map(\.metadata.name))
    }

    /// Pod name to node name, for placed pods.
    func nodes() async -> [String: String]? {
        guard let items = await items() else { return nil }
        return Dictionary(uniqueKeysWithValues: items.compactMap { item in item.spec.nodeName.map { (item.metadata.name, $0) } })
    }

    /// The node holding most of the set's pods.
    func busiestNode() async -> String? {
        guard let placed = await nodes() else { return nil }
        let counts = Dictionary(grouping: placed.values, by: { $0 }).mapValues(\.count)
        return counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
    }

    /// POSTs an Eviction for `name`; the HTTP status and body.
    func evict(_ name: String) async -> (status: Int, body: String) {
        guard let url = URL(string: "\(apiURL)/api/v1/namespaces/default/pods/\(name)/eviction") else { return (0, "") }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(#"{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"\#(name)","namespace":"default"}}"#.utf8)
        request.timeoutInterval = 10
        guard let (data, response) = try? await URLSession.shared.data(for: request) else { return (0, "no answer") }
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// Runs `work` on another thread while sampling availability every 100 ms (at most 5
    /// minutes); the fewest available pods seen and how many samples were taken.
    func watchingAvailability(_ work: @escaping @Sendable () throws -> CLIRun) async throws -> (run: CLIRun, fewestAvailable: Int, samples: Int) {
        let done = Atomic<Bool>(false)
        let task = Task.detached {
            defer { done.store(true, ordering: .releasing) }
            return try work()
        }
        var fewest = Int.max
        var samples = 0
        let deadline = ContinuousClock.now + .seconds(300)
        while ContinuousClock.now < deadline, !done.load(ordering: .acquiring) {
            if let ready = await available() {
                fewest = min(fewest, ready.count)
                samples += 1
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return (try await task.value, fewest, samples)
    }
}
