import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Membership
import Synchronization
import Testing
@testable import API

@Suite struct KeyValueRouteTests {
    /// Commits every write at the next index, or refuses all when `available` is false.
    final class RecordingView: ClusterView, Sendable {
        let nodeName = "a2"
        let available: Bool
        let store = Mutex<(index: UInt64, values: [String: KeyValueEntry])>((0, [:]))

        init(available: Bool) { self.available = available }

        func members() async -> [Membership.Member] { [] }
        func raftStatus() async -> RaftStatus {
            RaftStatus(node: "a2", role: "follower", term: 1, leader: nil, leaderAPI: nil,
                       commitIndex: 0, appliedIndex: 0, lastIndex: 0, voters: [], learners: [])
        }
        func write(_ write: KeyValueWrite) async -> WriteOutcome {
            guard available else { return .unavailable(reason: "no leader is known yet; retry") }
            return store.withLock { state in
                state.index += 1
                switch write {
                case .put(let key, let value): state.values[key] = KeyValueEntry(value: value, revision: state.index)
                case .delete(let key): state.values[key] = nil
                }
                return .committed(index: state.index)
            }
        }
        func read(key: String) async -> KeyValueEntry? { store.withLock { $0.values[key] } }
    }

    /// The write response quotes the key by hand; JSON's own decoder must read it back.
    @Test(arguments: ["color", "a\"b", "back\\slash", "tab\tnew\nline\r", "\u{01}\u{1F}", "grüße/ключ/🙂", ""])
    func quotedKeysDecodeBackToThemselves(key: String) throws {
        let decoded = try JSONDecoder().decode(String.self, from: Data(API.jsonQuoted(key).utf8))
        #expect(decoded == key)
    }

    @Test func putThenGetReturnsTheValueAndRevision() async throws {
        let view = RecordingView(available: true)
        let app = Application(router: API.makeRouter(view: view))
        try await app.test(.router) { client in
            try await client.execute(uri: "/ordinal/v1/kv/color", method: .put, body: ByteBuffer(string: "blue")) { response in
                #expect(response.status == .ok)
                let body = try JSONDecoder().decode([String: String].self, from: Data(buffer: response.body))
                #expect(body == ["key": "color", "index": "1"])
            }
            try await client.execute(uri: "/ordinal/v1/kv/color", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "blue")
                #expect(response.headers[HTTPField.Name("X-Ordinal-Revision")!] == "1")
            }
            try await client.execute(uri: "/ordinal/v1/kv/color", method: .delete) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/ordinal/v1/kv/color", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func withoutALeaderWritesAreUnavailable() async throws {
        let app = Application(router: API.makeRouter(view: RecordingView(available: false)))
        try await app.test(.router) { client in
            try await client.execute(uri: "/ordinal/v1/kv/k", method: .put, body: ByteBuffer(string: "v")) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("no leader"))
            }
        }
    }

    @Test func oversizedValueIsRejectedAndNothingIsWritten() async throws {
        let view = RecordingView(available: true)
        let app = Application(router: API.makeRouter(view: view))
        try await app.test(.router) { client in
            let big = ByteBuffer(repeating: 7, count: (1 << 20) + 1)
            try await client.execute(uri: "/ordinal/v1/kv/k", method: .put, body: big) { response in
                #expect(response.status == .contentTooLarge)
            }
        }
        #expect(view.store.withLock { $0.index } == 0)
    }

    @Test func raftStatusIsServedAsJSON() async throws {
        let app = Application(router: API.makeRouter(view: RouterTests.FixedView(list: [])))
        try await app.test(.router) { client in
            try await client.execute(uri: "/ordinal/v1/raft", method: .get) { response in
                let status = try JSONDecoder().decode(RaftStatus.self, from: Data(buffer: response.body))
                #expect(status.role == "leader")
                #expect(status.voters == ["a1", "a2", "a3"])
                #expect(status.learners == ["a4"])
            }
        }
    }
}
