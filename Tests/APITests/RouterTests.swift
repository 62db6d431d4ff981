import Basics
import Foundation
import Hummingbird
import HummingbirdTesting
import Membership
import Testing
@testable import API

@Suite struct RouterTests {
    struct FixedView: ClusterView {
        let nodeName = "a1"
        let list: [Membership.Member]
        func members() async -> [Membership.Member] { list }
        func raftStatus() async -> RaftStatus {
            RaftStatus(node: "a1", role: "leader", term: 3, leader: "a1", leaderAPI: "127.0.1.1:7480",
                       commitIndex: 9, appliedIndex: 9, lastIndex: 9, voters: ["a1", "a2", "a3"], learners: ["a4"])
        }
        func write(_ write: KeyValueWrite) async -> WriteOutcome { .unavailable(reason: "read-only view") }
        func read(key: String) async -> KeyValueEntry? { nil }
    }

    static let members = [
        Membership.Member(id: NodeID("a1"), address: Endpoint(host: "127.0.1.1", port: 7400), status: .alive, incarnation: 0, metadata: ["api": "127.0.1.1:7480"]),
        Membership.Member(id: NodeID("a2"), address: Endpoint(host: "127.0.1.2", port: 7400), status: .suspect, incarnation: 3),
        Membership.Member(id: NodeID("a3"), address: Endpoint(host: "127.0.1.3", port: 7400), status: .dead, incarnation: 1),
    ]

    @Test func healthzAnswersOK() async throws {
        let app = Application(router: API.makeRouter(view: FixedView(list: [])))
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "ok\n")
            }
        }
    }

    @Test func membersListsEveryMemberWithState() async throws {
        let app = Application(router: API.makeRouter(view: FixedView(list: Self.members)))
        try await app.test(.router) { client in
            try await client.execute(uri: "/ordinal/v1/members", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                let list = try JSONDecoder().decode(MemberList.self, from: Data(buffer: response.body))
                #expect(list.observer == "a1")
                #expect(list.members.map(\.name) == ["a1", "a2", "a3"])
                #expect(list.members.map(\.state) == ["alive", "suspect", "dead"])
                #expect(list.members[1].incarnation == 3)
                #expect(list.members[0].address == "127.0.1.1:7400")
                #expect(list.members[0].metadata["api"] == "127.0.1.1:7480")
            }
        }
    }

    @Test func unknownPathIsNotFound() async throws {
        let app = Application(router: API.makeRouter(view: FixedView(list: [])))
        try await app.test(.router) { client in
            try await client.execute(uri: "/nope", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}
