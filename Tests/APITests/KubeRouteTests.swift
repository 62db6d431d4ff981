import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import API

/// The Kubernetes paths through `app.test(.router)` against a one-replica cluster in memory.
@Suite struct KubeRouteTests {
    static let sets = "/apis/apps/v1/namespaces/default/statefulsets"

    static func setJSON(name: String = "web", replicas: Int = 3) -> String {
        """
        {"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"\(name)","labels":{"tier":"db"}},
         "spec":{"replicas":\(replicas),"serviceName":"nginx","selector":{"matchLabels":{"app":"web"}},
                 "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx"}]}}}}
        """
    }

    private func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    @Test func createGetListAndTheStatusErrors() async throws {
        let app = Application(router: API.makeRouter(view: MemoryClusterView()))
        try await app.test(.router) { client in
            try await client.execute(uri: Self.sets, method: .post, body: ByteBuffer(string: Self.setJSON())) { response in
                #expect(response.status == .created)
                let body = try json(response)
                #expect((body["metadata"] as? [String: Any])?["resourceVersion"] as? String == "1")
                #expect((body["spec"] as? [String: Any])?["podManagementPolicy"] as? String == "OrderedReady")
            }
            try await client.execute(uri: Self.sets, method: .post, body: ByteBuffer(string: Self.setJSON())) { response in
                #expect(response.status == .conflict)
                let body = try json(response)
                #expect(body["kind"] as? String == "Status")
                #expect(body["reason"] as? String == "AlreadyExists")
                #expect(body["message"] as? String == "statefulsets.apps \"web\" already exists")
                #expect(body["code"] as? Int == 409)
            }
            try await client.execute(uri: Self.sets + "/missing", method: .get) { response in
                #expect(response.status == .notFound)
                let body = try json(response)
                #expect(body["message"] as? String == "statefulsets.apps \"missing\" not found")
            }
            try await client.execute(uri: Self.sets, method: .post, body: ByteBuffer(string: Self.setJSON(name: "bad", replicas: -1))) { response in
                #expect(response.status == .unprocessableContent)
                let message = try json(response)["message"] as? String
                #expect(message == "StatefulSet.apps \"bad\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0")
            }
            try await client.execute(uri: Self.sets, method: .post, body: ByteBuffer(string: "{not json")) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/apis/apps/v1/statefulsets?labelSelector=tier%3Ddb", method: .get) { response in
                let body = try json(response)
                #expect(body["kind"] as? String == "StatefulSetList")
                #expect((body["items"] as? [Any])?.count == 1)
            }
            try await client.execute(uri: Self.sets + "?labelSelector=tier%3Dweb", method: .get) { response in
                let body = try json(response)
                #expect((body["items"] as? [Any])?.count == 0)
            }
            try await client.execute(uri: "/api/v1/namespaces/default/widgets", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func mergePatchScaleAndDelete() async throws {
        let app = Application(router: API.makeRouter(view: MemoryClusterView()))
        try await app.test(.router) { client in
            try await client.execute(uri: Self.sets, method: .post, body: ByteBuffer(string: Self.setJSON())) { _ in }
            let merge: HTTPFields = [.contentType: "application/merge-patch+json"]
            try await client.execute(uri: Self.sets + "/web", method: .patch, headers: merge,
                                     body: ByteBuffer(string: #"{"metadata":{"labels":{"tier":null,"team":"a"}}}"#)) { response in
                #expect(response.status == .ok)
                let labels = (try json(response)["metadata"] as? [String: Any])?["labels"] as? [String: String]
                #expect(labels == ["team": "a"])
            }
            try await client.execute(uri: Self.sets + "/web/scale", method: .patch, headers: merge,
                                     body: ByteBuffer(string: #"{"spec":{"replicas":5}}"#)) { response in
                #expect(response.status == .ok)
                let body = try json(response)
                #expect(((body["spec"] as? [String: Any])?["replicas"] as? Int) == 5)
            }
            try await client.execute(uri: Self.sets + "/web/scale", method: .get) { response in
                let body = try json(response)
                #expect(body["kind"] as? String == "Scale")
                #expect((body["status"] as? [String: Any])?["selector"] as? String == "app=web")
            }
            try await client.execute(uri: Self.sets + "/web", method: .patch, headers: [.contentType: "application/apply-patch+yaml"],
                                     body: ByteBuffer(string: "{}")) { response in
                #expect(response.status == .unsupportedMediaType)
            }
            try await client.execute(uri: Self.sets + "/web", method: .delete) { response in
                #expect(response.status == .ok)
                let body = try json(response)
                #expect((body["metadata"] as? [String: Any])?["deletionTimestamp"] != nil, "a set is deleted after its pods")
            }
        }
    }

    /// With a token every path needs it — reads (pods carry their env), the key-value
    /// store, members, Raft, logs, discovery — except the probes `/healthz` and `/version`.
    /// The token followed by any multiple of 256 bytes once passed: the length difference
    /// was compared as one byte.
    @Test func theTokenWithBytesAppendedIsRefused() async throws {
        let app = Application(router: API.makeRouter(view: MemoryClusterView(), token: "s3cret"))
        try await app.test(.router) { client in
            for extra in [1, 255, 256, 512, 65_536] {
                let header = "Bearer s3cret" + String(repeating: "x", count: extra)
                try await client.execute(uri: Self.sets, method: .get, headers: [.authorization: header]) { response in
                    #expect(response.status == .unauthorized, "the token and \(extra) more bytes")
                }
            }
            try await client.execute(uri: Self.sets, method: .get, headers: [.authorization: "Bearer s3cret"]) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func everyPathButTheProbesNeedsTheTokenWhenOneIsConfigured() async throws {
        let app = Application(router: API.makeRouter(view: MemoryClusterView(), token: "s3cret"))
        try await app.test(.router) { client in
            try await client.execute(uri: Self.sets, method: .post, body: ByteBuffer(string: Self.setJSON())) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: Self.sets, method: .post, headers: [.authorization: "Bearer s3cret"],
                                     body: ByteBuffer(string: Self.setJSON())) { response in
                #expect(response.status == .created)
            }
            let guarded = [
                (Self.sets, HTTPRequest.Method.get), ("/api/v1/namespaces/default/pods", .get), ("/api/v1/namespaces/default/pods/web-0/log", .get),
                ("/ordinal/v1/members", .get), ("/ordinal/v1/raft", .get), ("/ordinal/v1/kv/a", .get), ("/ordinal/v1/kv/a", .put),
                ("/api", .get), ("/apis", .get), ("/openapi/v2", .get), ("/no/such/path", .get),
            ]
            for (uri, method) in guarded {
                for header in [nil, "Bearer s3cre", "Bearer s3cret2", "Bearer S3cret", "s3cret", "Basic s3cret"] as [String?] {
                    let headers: HTTPFields = header.map { [.authorization: $0] } ?? [:]
                    try await client.execute(uri: uri, method: method, headers: headers, body: ByteBuffer(string: "x")) { response in
                        #expect(response.status == .unauthorized, "\(method) \(uri) with \(header ?? "no header")")
                    }
                }
            }
            try await client.execute(uri: Self.sets, method: .get, headers: [.authorization: "Bearer s3cret"]) { response in
                #expect(response.status == .ok)
            }
            for uri in ["/healthz", "/version"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .ok, "\(uri) stays open for probes")
                }
            }
        }
    }

    @Test func watchReplaysFromAResourceVersionAsJSONLines() async throws {
        let view = MemoryClusterView()
        let app = Application(router: API.makeRouter(view: view))
        try await app.test(.router) { client in
            try await client.execute(uri: Self.sets, method: .post, body: ByteBuffer(string: Self.setJSON())) { _ in }
            try await client.execute(uri: Self.sets, method: .post, body: ByteBuffer(string: Self.setJSON(name: "db"))) { _ in }
            try await client.execute(uri: Self.sets + "/web", method: .delete) { _ in }
            try await client.execute(uri: Self.sets + "?watch=true&resourceVersion=1&timeoutSeconds=1", method: .get) { response in
                let lines = String(buffer: response.body).split(separator: "\n")
                let events = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
                #expect(events.map { $0["type"] as? String } == ["ADDED", "MODIFIED"])
                let names = events.map { (($0["object"] as? [String: Any])?["metadata"] as? [String: Any])?["name"] as? String }
                #expect(names == ["db", "web"])
            }
            try await client.execute(uri: Self.sets + "?watch=1&fieldSelector=metadata.name%3Dweb&timeoutSeconds=1", method: .get) { response in
                let lines = String(buffer: response.body).split(separator: "\n")
                #expect(lines.count == 1, "the initial state of the one matching object")
            }
        }
    }

    @Test func clusterWatchStreamsSeveralKindsWithABookmarkAndStatus() async throws {
        let view = MemoryClusterView()
        let app = Application(router: API.makeRouter(view: view))
        try await app.test(.router) { client in
            try await client.execute(uri: Self.sets, method: .post, body: ByteBuffer(string: Self.setJSON())) { _ in }
            try await client.execute(uri: "/ordinal/v1/watch?kinds=statefulsets,nodes&status=true&timeoutSeconds=1", method: .get) { response in
                #expect(response.status == .ok)
                let lines = String(buffer: response.body).split(separator: "\n")
                let events = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
                let types = events.map { $0["type"] as? String ?? "" }
                #expect(types.first == "ADDED", "the existing StatefulSet first")
                #expect(types.dropFirst().first == "BOOKMARK")
                #expect(events[1]["initialEventsEnd"] as? Bool == true)
                #expect(types.contains("STATUS"), "a status line within the first second")
                let status = try #require(events.first { $0["type"] as? String == "STATUS" })
                #expect((status["raft"] as? [String: Any])?["role"] as? String == "leader")
                #expect((status["leader"] as? [String: Any])?["node"] as? String == "a1")
            }
            for bad in ["", "kinds=", "kinds=pods,secrets", "kinds=" + String(repeating: "x", count: 5000)] {
                try await client.execute(uri: "/ordinal/v1/watch?" + bad, method: .get) { response in
                    #expect(response.status == .badRequest, "\(bad.prefix(40))")
                }
            }
        }
    }
}
