import CRI
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Agents sharing a machine, each with a containerd of its own (`scripts/runtime agent`) whose
/// network the agent writes from its Node's block (`--cni-conf-dir`): pods get addresses
/// from their node's block behind the agent's own bridge, reach each other's across bridges,
/// and resolve each other through the cluster DNS address on the host.
@Suite(.serialized, .timeLimit(.minutes(3))) struct BridgedContainerTests {
    static let namespace = "bridged"
    /// Off the blocks `scripts/cluster up` uses (198.19.0.0/16 from 198.19.1.0), so a local
    /// cluster running beside the tests keeps its bridges.
    static let podCIDR = "198.19.64.0/18"
    /// Not scripts/cluster's 198.19.0.10, which such a cluster's agents answer.
    static let clusterDNS = "198.19.0.11"
    static let manifest = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: bridged
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: br
          namespace: bridged
        spec:
          clusterIP: None
          selector:
            app: br
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: br
          namespace: bridged
        spec:
          serviceName: br
          replicas: 2
          podManagementPolicy: Parallel
          selector:
            matchLabels:
              app: br
          template:
            metadata:
              labels:
                app: br
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: web
                image: busybox
                command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www"]
        """

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `scripts/runtime ARGS…`'s last line.
    static func runtimeScript(_ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = repository.appendingPathComponent("scripts/runtime")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let run = try runBounded(process, input: nil, timeout: 60)
        guard run.status == 0, let line = run.output.split(separator: "\n").last else {
            throw CRIError.badEndpoint(arguments.joined(separator: " "), reason: "scripts/runtime failed: \(run.errors)")
        }
        return String(line)
    }

    @Test func eachAgentsContainerdGetsItsNodesBlockAndPodsReachAcrossBridges() async throws {
        let instances = try (1 ... 2).map { index in
            let fields = try Self.runtimeScript(["agent", "test-bridged-\(index)"]).split(separator: " ").map(String.init)
            return (endpoint: fields[0], cni: fields[1])
        }
        let dns = try Self.runtimeScript(["dns"], environment: ["ORDINAL_CLUSTER_DNS": Self.clusterDNS])
        #expect(dns == Self.clusterDNS)
        let runtimes = try instances.map { try CRIClient(endpoint: CRIEndpoint($0.endpoint)) }
        let outcome: Result<Void, any Error>
        do {
            try await withCluster("bridged", count: 2, basePort: 18530,
                                  extra: ["--bootstrap-expect", "2", "--pod-cidr", Self.podCIDR, "--cluster-dns", Self.clusterDNS],
                                  extraFor: { ["--container-runtime-endpoint", instances[$0].endpoint, "--cni-conf-dir", instances[$0].cni] }) { agents in
                try await run(agents, runtimes: runtimes, instances: instances.map(\.cni))
            }
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        for runtime in runtimes {
            for sandbox in (try? await runtime.listPodSandbox(labels: ["io.kubernetes.pod.namespace": Self.namespace])) ?? [] {
                try? await runtime.stopPodSandbox(sandbox.id)
                try? await runtime.removePodSandbox(sandbox.id)
            }
            await runtime.close()
        }
        try outcome.get()
    }

    private func run(_ agents: [AgentProcess], runtimes: [CRIClient], instances: [String]) async throws {
        let agent = agents[0]
        _ = try await require("a leader", within: .seconds(20)) { await agreedLeader(agents) != nil }
        // A Node is Ready once its agent has written its network and containerd reports it.
        _ = try await require("both Nodes Ready", within: .seconds(30)) {
            var ready = 0
            for peer in agents {
                let node = await Self.object(agent, "/api/v1/nodes/\(peer.name)")
                let conditions = (node?["status"] as? [String: Any])?["conditions"] as? [[String: Any]] ?? []
                if conditions.contains(where: { $0["type"] as? String == "Ready" && $0["status"] as? String == "True" }) { ready += 1 }
            }
            return ready == agents.count
        }
        let applied = try ordinal(["apply", "-f", "-", "--agent", agent.apiURL], input: Self.manifest)
        #expect(applied.status == 0, "\(applied.errors)")
        _ = try await require("br-0 and br-1 Ready", within: .seconds(60)) {
            let ready = await readyPods(agent, namespace: Self.namespace) ?? [:]
            return ready["br-0"] != nil && ready["br-1"] != nil
        }
        // Each pod's address is in its node's block, and that block is what the agent wrote
        // into its containerd's conf dir.
        var nodesUsed: Set<String> = []
        for name in ["br-0", "br-1"] {
            let pod = try #require(await ContainerProcessTests.pod(agent, name, namespace: Self.namespace))
            let ip = try #require(ContainerProcessTests.status(pod)?["podIP"] as? String)
            let nodeName = try #require((pod["spec"] as? [String: Any])?["nodeName"] as? String)
            nodesUsed.insert(nodeName)
            let node = try #require(await Self.object(agent, "/api/v1/nodes/\(nodeName)"))
            let cidr = try #require((node["spec"] as? [String: Any])?["podCIDR"] as? String)
            #expect(ip.hasPrefix(cidr.components(separatedBy: ".").prefix(3).joined(separator: ".") + "."), "\(name) at \(ip), outside \(nodeName)'s block \(cidr)")
            let index = try #require(agents.firstIndex { $0.name == nodeName })
            let conflist = try String(contentsOfFile: instances[index] + "/10-ordinal.conflist", encoding: .utf8)
            #expect(conflist.contains("\"subnet\" : \"\(cidr)\""), "\(conflist)")
            #expect(try await ContainerProcessTests.get("http://\(ip)/") == "\(name)\n")
        }
        #expect(nodesUsed.count == 2, "one pod per agent: \(nodesUsed)")
        // From br-0's container, br-1 by its cluster name: the cluster DNS address on the host,
        // then across the two bridges.
        let br0 = try #require(await ContainerProcessTests.pod(agent, "br-0", namespace: Self.namespace))
        let node0 = try #require((br0["spec"] as? [String: Any])?["nodeName"] as? String)
        let runtime = runtimes[try #require(agents.firstIndex { $0.name == node0 })]
        let container = try #require((ContainerProcessTests.containerStatuses(br0).first?["containerID"] as? String)?.dropFirst("containerd://".count))
        let fetch = try await runtime.execSync(String(container), ["wget", "-qO-", "http://br-1.br.bridged.svc.cluster.local/"], timeout: 10)
        #expect(fetch.exitCode == 0 && String(decoding: fetch.stdout, as: UTF8.self) == "br-1\n", "\(String(decoding: fetch.stderr, as: UTF8.self))")
    }

    static func object(_ agent: AgentProcess, _ path: String) async -> [String: Any]? {
        guard let url = URL(string: agent.apiURL + path), let (data, _) = try? await URLSession.shared.data(from: url) else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }
}
