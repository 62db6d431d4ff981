import Foundation
import Testing

/// `ordinal cordon`/`uncordon` and `kubectl cordon`/`uncordon`: a cordoned node keeps its
/// pods and takes no new ones.
@Suite(.serialized, .timeLimit(.minutes(3))) struct CordonProcessTests {
    static let set = processTestSet("spread", replicas: 2, parallel: true)

    @Test func aCordonedNodeTakesNoNewPodsAndKeepsItsOwn() async throws {
        try await withCluster("cordon", count: 3, basePort: 18090, extra: ["--bootstrap-expect", "3"]) { agents in
            _ = try await require("one leader agreed by all", within: .seconds(20)) { await agreedLeader(agents) != nil }
            let api = ["--agent", agents[0].apiURL]
            let cordon = try ordinal(["cordon", "p3"] + api)
            #expect(cordon.status == 0 && cordon.output == "node/p3 cordoned\n", "\(cordon.output)\(cordon.errors)")
            #expect(try ordinal(["cordon", "p3"] + api).output == "node/p3 already cordoned\n")
            let nodes = try ordinal(["get", "nodes"] + api)
            #expect(nodes.output.split(separator: "\n").contains { $0.hasPrefix("p3 ") && $0.contains("SchedulingDisabled") }, "\(nodes.output)")
            #expect(try ordinal(["apply", "-f", "-"] + api, input: Self.set).status == 0)
            let pods = ["--agent", agents[1].apiURL, "-o", "wide"]
            _ = try await require("both pods running", within: .seconds(20)) {
                (try? ordinal(["get", "pods"] + pods))?.output.split(separator: "\n").dropFirst().filter { $0.contains("Running") }.count == 2
            }
            let placed = try ordinal(["get", "pods"] + pods).output
            #expect(!placed.contains(" p3 "), "no pod on the cordoned node: \(placed)")
            #expect(try ordinal(["uncordon", "p3"] + api).output == "node/p3 uncordoned\n")
            if let kubectl = Kubectl.present.last {
                let home = agents[0].directory.appendingPathComponent("home-cordon")
                try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
                let cordoned = try kubectl.run(["cordon", "p2"], server: agents[0].apiURL, home: home)
                #expect(cordoned.status == 0, "kubectl \(kubectl.version) cordon: \(cordoned.errors)")
                _ = try await require("kubectl's cordon reaches every replica", within: .seconds(5)) {
                    (try? ordinal(["get", "nodes", "--agent", agents[2].apiURL]))?.output.split(separator: "\n")
                        .contains { $0.hasPrefix("p2 ") && $0.contains("SchedulingDisabled") } == true
                }
                let uncordoned = try kubectl.run(["uncordon", "p2"], server: agents[0].apiURL, home: home)
                #expect(uncordoned.status == 0, "kubectl \(kubectl.version) uncordon: \(uncordoned.errors)")
                _ = try await require("kubectl's uncordon too", within: .seconds(5)) {
                    (try? ordinal(["get", "nodes", "--agent", agents[2].apiURL]))?.output.contains("SchedulingDisabled") == false
                }
            }
        }
    }
}
