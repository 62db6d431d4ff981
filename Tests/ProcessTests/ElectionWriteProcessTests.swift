import Foundation
import Testing

/// Writes ride out an election: a client's write reaches a follower while the leader has
/// just died, waits for the next leader, and commits without the user retrying.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ElectionWriteProcessTests {
    static let bootstrap = ["--bootstrap-expect", "3"]
    static let manifest = repositoryRoot.appendingPathComponent("cluster/manifests/seed-statefulset.yaml")

    /// `spec.replicas` of a StatefulSet printed as JSON.
    static func replicas(in json: String) -> Int? {
        (try? JSONDecoder().decode(ReplicasView.self, from: Data(json.utf8)))?.spec.replicas
    }

    @Test func scaleRightAfterKillingTheLeaderSucceeds() async throws {
        try await withCluster("election-write", count: 3, basePort: 17830, extra: Self.bootstrap) { agents in
            _ = try await require("one leader", within: .seconds(20)) { await agreedLeader(agents) != nil }
            let leaderName = await agreedLeader(agents) ?? ""
            guard let leader = agents.first(where: { $0.name == leaderName }), let follower = agents.first(where: { $0.name != leaderName }) else {
                Issue.record("no leader")
                return
            }
            let api = ["--agent", follower.apiURL]
            #expect(try ordinal(["apply", "-f", Self.manifest.path] + api).status == 0)

            leader.kill9()
            let started = Date()
            let scaled = try ordinal(["scale", "statefulset", "my-statefulset", "--replicas=4"] + api, timeout: 30)
            print("process test: scale issued at once after kill -9 of the leader answered in \(Date().timeIntervalSince(started)) s")
            #expect(scaled.status == 0, "\(scaled.errors)")
            #expect(scaled.output.contains("scaled"))
            let survivors = agents.filter { $0 !== leader }
            let table = try ordinal(["get", "sts", "my-statefulset", "-o", "json", "--agent", survivors[0].apiURL])
            #expect(Self.replicas(in: table.output) == 4, "\(table.output)")
            let put = await follower.put("after-election", "yes", timeout: 10)
            #expect(put != nil, "a key-value write through the same follower commits too")
        }
    }
}

/// The part of a StatefulSet printed as JSON that the test reads.
private struct ReplicasView: Decodable {
    struct Spec: Decodable { let replicas: Int? }
    let spec: Spec
}
