import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Many machines for real (issue 15): `scripts/hosts` makes three network namespaces on a
/// bridge, each with its own agent; pods get routed addresses in 198.19.0.0/16, reachable
/// by address and by DNS name (the machine's own resolver, `getent`) from every machine, and
/// a pod whose machine dies moves and is reachable at its new address. Needs root.
@Suite(.serialized, .enabled(if: getuid() == 0, "network namespaces need root"), .timeLimit(.minutes(6)))
struct MachinesProcessTests {
    static let manifest = """
        apiVersion: v1
        kind: Service
        metadata:
          name: roam
        spec:
          clusterIP: None
          selector:
            app: roam
          ports:
          - name: web
            port: 8080
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: roam
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
              - name: web
                image: ordinal/serve-hostname
                ports:
                - containerPort: 8080
                readinessProbe:
                  httpGet:
                    path: /
                    port: 8080
                  periodSeconds: 1
        """

    /// `scripts/hosts ARGS…` with the state under `directory` and the binary the tests run.
    private func hosts(_ arguments: [String], state: URL, timeout: TimeInterval = 90) throws -> CLIRun {
        let process = Process()
        process.executableURL = repositoryRoot.appendingPathComponent("scripts/hosts")
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["ORDINAL_BIN"] = AgentProcess.binary.path
        environment["ORDINAL_HOSTS_STATE"] = state.path
        process.environment = environment
        return try runBounded(process, input: nil, timeout: timeout)
    }

    /// A pod as `ordinal get pods -o wide` shows it.
    struct PodRow: Equatable {
        var name: String
        var ready: String
        var status: String
        var ip: String
        var node: String
    }

    private func pods(_ client: [String]) throws -> [String: PodRow] {
        let run = try ordinal(["get", "pods", "-o", "wide"] + client, timeout: 10)
        var rows: [String: PodRow] = [:]
        for line in run.output.split(separator: "\n").dropFirst() {
            let cells = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard cells.count >= 7 else { continue }
            rows[cells[0]] = PodRow(name: cells[0], ready: cells[1], status: cells[2], ip: cells[5], node: cells[6])
        }
        return rows
    }

    /// What `serve-hostname` at `target` answers to an HTTP GET from machine `machine`.
    private func fetch(_ target: String, from machine: String, state: URL) throws -> String {
        let run = try hosts(["exec", machine, "curl", "-s", "--max-time", "3", "http://\(target):8080/"], state: state, timeout: 10)
        return String(run.output.split(separator: "\n").first ?? "")
    }

    private func resolve(_ name: String, from machine: String, state: URL) throws -> String? {
        let run = try hosts(["exec", machine, "getent", "hosts", name], state: state, timeout: 10)
        return run.output.split(separator: " ").first.map(String.init)
    }

    @Test func podsAreReachableAcrossMachinesAndMoveWithTheirName() async throws {
        let state = try makeTestDirectory("hosts")
        defer {
            _ = try? hosts(["down"], state: state)
            try? FileManager.default.removeItem(at: state)
        }
        var run = try hosts(["up", "3"], state: state)
        #expect(run.status == 0, "\(run.output) \(run.errors)")
        guard run.status == 0 else { return }
        let credentials = state.appendingPathComponent("credentials")
        let token = try String(contentsOf: credentials.appendingPathComponent("token"), encoding: .utf8)
        let client = ["--agent", "https://198.18.0.11:7480", "--ca", credentials.appendingPathComponent("ca.pem").path, "--token", token]
        let manifest = state.appendingPathComponent("roam.yaml")
        try Self.manifest.write(to: manifest, atomically: true, encoding: .utf8)
        run = try ordinal(["apply", "-f", manifest.path] + client)
        #expect(run.status == 0, "\(run.errors)")

        let names = ["roam-0", "roam-1", "roam-2"]
        var placed: [String: PodRow] = [:]
        _ = try await require("three pods Ready with routed addresses", within: .seconds(60)) {
            placed = (try? pods(client)) ?? [:]
            return names.allSatisfy { placed[$0]?.ready == "1/1" && placed[$0]?.ip.hasPrefix("198.19.") == true }
        }
        #expect(Set(names.compactMap { placed[$0]?.node }).count >= 2, "pods spread over machines: \(placed)")

        let machines = ["m1", "m2", "m3"]
        for machine in machines {
            for name in names {
                let row = try #require(placed[name])
                #expect(try fetch(row.ip, from: machine, state: state) == name, "\(name) at \(row.ip) from \(machine)")
                let dnsName = "\(name).roam.default.svc.cluster.local"
                #expect(try resolve(dnsName, from: machine, state: state) == row.ip, "getent \(dnsName) on \(machine)")
                #expect(try fetch(dnsName, from: machine, state: state) == name, "\(dnsName) from \(machine)")
            }
        }

        // The machine of a pod not on m1 (whose API the test reads) dies: agent and link.
        let victim = try #require(names.compactMap { placed[$0] }.first { $0.node != "m1" })
        run = try hosts(["kill", victim.node], state: state)
        #expect(run.status == 0)
        run = try hosts(["link", victim.node, "down"], state: state)
        #expect(run.status == 0)
        var moved: PodRow?
        _ = try await require("\(victim.name) Ready on another machine", within: .seconds(60)) {
            moved = (try? pods(client))?[victim.name]
            return moved.map { $0.node != victim.node && $0.ready == "1/1" && $0.ip.hasPrefix("198.19.") } == true
        }
        let now = try #require(moved)
        #expect(now.ip != victim.ip, "a moved pod gets an address of its new machine")
        for machine in machines where machine != victim.node {
            let dnsName = "\(victim.name).roam.default.svc.cluster.local"
            _ = try await require("\(dnsName) answers from \(machine) at its new address", within: .seconds(15)) {
                (try? resolve(dnsName, from: machine, state: state)) == now.ip
                    && (try? fetch(dnsName, from: machine, state: state)) == victim.name
            }
        }
    }
}
