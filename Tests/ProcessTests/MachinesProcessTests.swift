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
    /// `cluster/manifests/roam.yaml`: three serve-hostname pods without volumes.
    static let manifest = repositoryRoot.appendingPathComponent("cluster/manifests/roam.yaml")

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
            // RESTARTS may read "1 (60s ago)": count the last columns from the end.
            guard cells.count >= 9 else { continue }
            let end = cells.count
            rows[cells[0]] = PodRow(name: cells[0], ready: cells[1], status: cells[2], ip: cells[end - 4], node: cells[end - 3])
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

    /// A running test bed of three machines with the `roam` set Ready on it.
    struct Bed {
        let state: URL
        /// `--agent URL --ca FILE --token TOKEN` for machine `m1`'s agent.
        let client: [String]
        let placed: [String: PodRow]

        func client(of machine: String) -> [String] {
            ["--agent", "https://198.18.0.1\(machine.dropFirst()):7480"] + client.dropFirst(2)
        }
    }

    static let names = ["roam-0", "roam-1", "roam-2"]

    /// Brings three machines up, applies `roam`, waits until its pods are Ready on routed
    /// addresses, runs `body`, and removes the test bed whatever happened.
    private func withBed(_ label: String, _ body: (Bed) async throws -> Void) async throws {
        let state = try makeTestDirectory(label)
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
        run = try ordinal(["apply", "-f", Self.manifest.path] + client)
        #expect(run.status == 0, "\(run.errors)")
        do {
            var placed: [String: PodRow] = [:]
            _ = try await require("three pods Ready with routed addresses", within: .seconds(60)) {
                placed = (try? pods(client)) ?? [:]
                return Self.names.allSatisfy { placed[$0]?.ready == "1/1" && placed[$0]?.ip.hasPrefix("198.19.") == true }
            }
            #expect(Set(Self.names.compactMap { placed[$0]?.node }).count >= 2, "pods spread over machines: \(placed)")
            try await body(Bed(state: state, client: client, placed: placed))
        } catch {
            Issue.record("pods: \((try? ordinal(["get", "pods", "-o", "wide"] + client, timeout: 10))?.output ?? "-")")
            for machine in ["m1", "m2", "m3"] {
                let log = (try? String(contentsOf: state.appendingPathComponent("\(machine)/agent.log"), encoding: .utf8)) ?? ""
                Issue.record("log of \(machine):\n\(log.suffix(3000))")
            }
            throw error
        }
    }

    @Test func podsAreReachableAcrossMachinesAndMoveWithTheirName() async throws {
        try await withBed("hosts-reach") { bed in
            let state = bed.state
            let machines = ["m1", "m2", "m3"]
            for machine in machines {
                for name in Self.names {
                    let row = try #require(bed.placed[name])
                    #expect(try fetch(row.ip, from: machine, state: state) == name, "\(name) at \(row.ip) from \(machine)")
                    let dnsName = "\(name).roam.default.svc.cluster.local"
                    #expect(try resolve(dnsName, from: machine, state: state) == row.ip, "getent \(dnsName) on \(machine)")
                    #expect(try fetch(dnsName, from: machine, state: state) == name, "\(dnsName) from \(machine)")
                }
            }

            // The machine of a pod not on m1 (whose API the test reads) dies: agent and link.
            let victim = try #require(Self.names.compactMap { bed.placed[$0] }.first { $0.node != "m1" })
            #expect(try hosts(["kill", victim.node], state: state).status == 0)
            #expect(try hosts(["link", victim.node, "down"], state: state).status == 0)
            var moved: PodRow?
            _ = try await require("\(victim.name) Ready on another machine", within: .seconds(60)) {
                moved = (try? pods(bed.client))?[victim.name]
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

    /// The Raft leader as the agent `client` names sees it (`ordinal status`'s LEADER column).
    private func raftLeader(seenBy client: [String]) -> String? {
        let row = (try? ordinal(["status"] + client, timeout: 5))?.output.split(separator: "\n").dropFirst().first
        let cells = row?.split(separator: " ", omittingEmptySubsequences: true).map(String.init) ?? []
        return cells.count > 2 && cells[2] != "<none>" ? cells[2] : nil
    }

    /// Roam pods with a process in machine `machine`'s namespace (by their keepers' sessions).
    private func podsRunning(on machine: String) -> Set<String> {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        process.arguments = ["netns", "pids", "ord-\(machine)"]
        guard let run = try? runBounded(process, input: nil, timeout: 5) else { return [] }
        let inside = Set(run.output.split(separator: "\n").compactMap { Int($0) })
        return Set(identityHolders(namespace: "default", pids: inside).keys.filter { $0.hasPrefix("roam-") })
    }

    /// The leader's machine is cut off (its link down, its agent running): its pods stop
    /// within the lease, the other two elect a leader and run them, and after the heal the
    /// three converge — with never two live holders of one identity on any machine.
    @Test func aPartitionedLeaderFencesItsPodsAndTheMajorityMovesThem() async throws {
        try await withBed("hosts-partition") { bed in
            let state = bed.state
            let leader = try #require(raftLeader(seenBy: bed.client))
            let others = ["m1", "m2", "m3"].filter { $0 != leader }
            let stranded = Self.names.filter { bed.placed[$0]?.node == leader }
            #expect(podsRunning(on: leader) == Set(stranded))

            let watch = HolderWatch(namespace: "default")
            let watching = Task { await watch.run() }
            let cut = ContinuousClock.now
            #expect(try hosts(["link", leader, "down"], state: state).status == 0)

            // The minority: no renewal reaches a leader, so its pods end with their lease (4 s).
            let fenced = try await require("the isolated machine's pods stopped", within: .seconds(12)) { podsRunning(on: leader).isEmpty }
            // The majority: a new leader, then the stranded pods Ready there.
            let majority = bed.client(of: others[0])
            _ = try await require("a new leader among \(others)", within: .seconds(10)) {
                raftLeader(seenBy: majority).map(others.contains) == true
            }
            for name in stranded {
                _ = try await require("\(name) Ready on the majority side", within: .seconds(60)) {
                    guard let row = (try? pods(majority))?[name] else { return false }
                    return others.contains(row.node) && row.ready == "1/1"
                }
            }
            let moved = ContinuousClock.now - cut
            #expect(podsRunning(on: leader).isEmpty, "the minority never starts a pod again while cut off")

            #expect(try hosts(["link", leader, "up"], state: state).status == 0)
            _ = try await require("all three machines agree on the pods again", within: .seconds(60)) {
                let views = ["m1", "m2", "m3"].map { (try? pods(bed.client(of: $0))) ?? [:] }
                return views.allSatisfy { $0 == views[0] } && Self.names.allSatisfy { views[0][$0]?.ready == "1/1" }
            }
            await watch.stop()
            await watching.value
            let violations = await watch.violations
            #expect(violations.isEmpty, "two live holders: \(violations.prefix(5))")
            #expect(fenced < 12 && moved < .seconds(60))
        }
    }
}
