import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import API

/// PATCH through `app.test(.router)`: the Content-Type picks strategic merge, merge or JSON
/// patch, and patch errors come back as the apiserver's Status codes.
@Suite struct KubePatchRouteTests {
    static let web = KubeRouteTests.sets + "/web"
    static let strategic: HTTPFields = [.contentType: "application/strategic-merge-patch+json"]
    static let merge: HTTPFields = [.contentType: "application/merge-patch+json"]
    static let json: HTTPFields = [.contentType: "application/json-patch+json"]

    private func body(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    private func containerNames(_ response: TestResponse) throws -> [String] {
        let spec = try body(response)["spec"] as? [String: Any]
        let template = spec?["template"] as? [String: Any]
        let containers = (template?["spec"] as? [String: Any])?["containers"] as? [[String: Any]]
        return try #require(containers).compactMap { $0["name"] as? String }
    }

    /// Runs `body` against a cluster holding `KubeRouteTests.setJSON()` (one container, `web`).
    private func withSet(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = Application(router: API.makeRouter(view: MemoryClusterView()))
        try await app.test(.router) { client in
            try await client.execute(uri: KubeRouteTests.sets, method: .post, body: ByteBuffer(string: KubeRouteTests.setJSON())) { response in
                #expect(response.status == .created)
            }
            try await body(client)
        }
    }

    @Test func strategicMergeAddsAContainerByNameAndKeepsTheLiveOne() async throws {
        try await withSet { client in
            let patch = #"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"web"},{"name":"sidecar"}],"containers":[{"name":"sidecar","image":"busybox"}]}}}}"#
            try await client.execute(uri: Self.web, method: .patch, headers: Self.strategic, body: ByteBuffer(string: patch)) { response in
                let names = try containerNames(response)
                #expect(response.status == .ok)
                #expect(names == ["web", "sidecar"])
            }
            let remove = #"{"spec":{"template":{"spec":{"containers":[{"$patch":"delete","name":"sidecar"}]}}}}"#
            try await client.execute(uri: Self.web, method: .patch, headers: Self.strategic, body: ByteBuffer(string: remove)) { response in
                let names = try containerNames(response)
                #expect(names == ["web"])
            }
        }
    }

    @Test func mergePatchStillReplacesLists() async throws {
        try await withSet { client in
            let patch = #"{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox"}]}}}}"#
            try await client.execute(uri: Self.web, method: .patch, headers: Self.merge, body: ByteBuffer(string: patch)) { response in
                let names = try containerNames(response)
                #expect(response.status == .ok)
                #expect(names == ["sidecar"])
            }
        }
    }

    @Test func jsonPatchAppliesAndAFailedTestIs422() async throws {
        try await withSet { client in
            let patch = #"[{"op":"test","path":"/spec/replicas","value":3},{"op":"replace","path":"/spec/replicas","value":2}]"#
            try await client.execute(uri: Self.web, method: .patch, headers: Self.json, body: ByteBuffer(string: patch)) { response in
                let spec = try body(response)["spec"] as? [String: Any]
                #expect(response.status == .ok)
                #expect(spec?["replicas"] as? Int == 2)
            }
            let failing = #"[{"op":"test","path":"/spec/replicas","value":3}]"#
            try await client.execute(uri: Self.web, method: .patch, headers: Self.json, body: ByteBuffer(string: failing)) { response in
                #expect(response.status == .unprocessableContent)
                let status = try body(response)
                #expect(status["reason"] as? String == "Invalid")
                #expect(status["message"] as? String == "the server rejected our request due to an error in our request")
            }
        }
    }

    @Test(arguments: [
        (strategic, #"{"spec":{"$patch":"explode"}}"#),
        (strategic, "[]"),
        (json, #"{"op":"add"}"#),
    ])
    func malformedPatchesAre400(_ headers: HTTPFields, _ patch: String) async throws {
        try await withSet { client in
            try await client.execute(uri: Self.web, method: .patch, headers: headers, body: ByteBuffer(string: patch)) { response in
                let status = try body(response)
                #expect(response.status == .badRequest)
                #expect(status["reason"] as? String == "BadRequest")
            }
        }
    }

    @Test func otherMediaTypesAre415WithKubernetesMessage() async throws {
        try await withSet { client in
            try await client.execute(uri: Self.web, method: .patch, headers: [.contentType: "application/apply-patch+yaml"], body: ByteBuffer(string: "{}")) { response in
                let status = try body(response)
                #expect(response.status == .unsupportedMediaType)
                #expect(status["message"] as? String == "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json")
            }
        }
    }
}

/// Patches are bounded in depth (the JSON decoder refuses more than 512 levels, so no
/// recursion in the patch code can exhaust the stack) and in the size of what they make.
@Suite struct PatchBoundsTests {
    static let strategic: HTTPFields = [.contentType: "application/strategic-merge-patch+json"]

    @Test(arguments: [KubePatchRouteTests.strategic, KubePatchRouteTests.merge, KubePatchRouteTests.json])
    func aDeeplyNestedPatchIsRefused(headers: HTTPFields) async throws {
        let app = Application(router: API.makeRouter(view: MemoryClusterView()))
        try await app.test(.router) { client in
            try await client.execute(uri: KubeRouteTests.sets, method: .post, body: ByteBuffer(string: KubeRouteTests.setJSON())) { response in
                #expect(response.status == .created)
            }
            let depth = 100_000
            let nested = String(repeating: "{\"a\":", count: depth) + "1" + String(repeating: "}", count: depth)
            let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            for body in ["{\"spec\":" + nested + "}", arrays] {
                try await client.execute(uri: KubePatchRouteTests.web, method: .patch, headers: headers, body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .badRequest)
                }
            }
            try await client.execute(uri: KubePatchRouteTests.web, method: .get) { response in
                #expect(response.status == .ok, "the set is still there and unchanged")
            }
        }
    }

    @Test func patchesCannotGrowAnObjectPastTheBodyLimit() async throws {
        let app = Application(router: API.makeRouter(view: MemoryClusterView()))
        try await app.test(.router) { client in
            try await client.execute(uri: KubeRouteTests.sets, method: .post, body: ByteBuffer(string: KubeRouteTests.setJSON())) { response in
                #expect(response.status == .created)
            }
            let value = String(repeating: "x", count: 2_500_000)
            for (index, expected) in [(1, HTTPResponse.Status.ok), (2, .contentTooLarge)] {
                let patch = #"{"spec":{"template":{"spec":{"containers":[{"name":"web","env":[{"name":"BIG\#(index)","value":"\#(value)"}]}]}}}}"#
                try await client.execute(uri: KubePatchRouteTests.web, method: .patch, headers: Self.strategic, body: ByteBuffer(string: patch)) { response in
                    #expect(response.status == expected)
                }
            }
        }
    }
}
