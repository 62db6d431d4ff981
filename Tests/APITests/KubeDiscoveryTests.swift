import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import API

/// What kubectl fetches before any command (reference §1–4).
@Suite struct KubeDiscoveryTests {
    static let aggregatedAccept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"

    private func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    private func resources(_ body: [String: Any]) -> [String: [String: Any]] {
        let list = body["resources"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: list.map { ($0["name"] as? String ?? "", $0) })
    }

    @Test func versionsAndGroups_answerLegacyJSONEvenToAggregatedDiscoveryAccept() async throws {
        let app = Application(router: API.makeRouter(view: MemoryClusterView()))
        try await app.test(.router) { client in
            for accept in ["application/json", Self.aggregatedAccept] {
                try await client.execute(uri: "/api?timeout=32s", method: .get, headers: [.accept: accept]) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType] == "application/json")
                    let body = try json(response)
                    #expect(body["kind"] as? String == "APIVersions")
                    #expect(body["versions"] as? [String] == ["v1"])
                }
                try await client.execute(uri: "/apis?timeout=32s", method: .get, headers: [.accept: accept]) { response in
                    #expect(response.headers[.contentType] == "application/json")
                    let body = try json(response)
                    #expect(body["kind"] as? String == "APIGroupList")
                    let groups = body["groups"] as? [[String: Any]] ?? []
                    #expect(groups.map { $0["name"] as? String } == ["apps", "policy"])
                    let preferred = groups.first?["preferredVersion"] as? [String: String]
                    #expect(preferred == ["groupVersion": "apps/v1", "version": "v1"])
                }
            }
            try await client.execute(uri: "/apis/apps", method: .get) { response in
                let body = try json(response)
                #expect(body["kind"] as? String == "APIGroup")
                #expect(body["name"] as? String == "apps")
            }
        }
    }

    @Test func coreResources_carryShortNamesCategoriesAndScope() async throws {
        let app = Application(router: API.makeRouter(view: MemoryClusterView()))
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/v1", method: .get) { response in
                let body = try json(response)
                #expect(body["kind"] as? String == "APIResourceList")
                #expect(body["groupVersion"] as? String == "v1")
                let byName = resources(body)
                #expect(Set(byName.keys) == ["pods", "pods/log", "pods/eviction", "services", "persistentvolumeclaims", "persistentvolumes",
                                             "nodes", "events", "namespaces"])
                // kubectl drain evicts only when this entry names its group and version.
                #expect(byName["pods/eviction"]?["group"] as? String == "policy")
                #expect(byName["pods/eviction"]?["version"] as? String == "v1")
                #expect(byName["pods/eviction"]?["kind"] as? String == "Eviction")
                #expect(byName["namespaces"]?["namespaced"] as? Bool == false)
                #expect(byName["namespaces"]?["shortNames"] as? [String] == ["ns"])
                #expect(byName["pods"]?["shortNames"] as? [String] == ["po"])
                #expect(byName["pods"]?["categories"] as? [String] == ["all"])
                #expect(byName["pods"]?["singularName"] as? String == "pod")
                #expect(byName["pods"]?["kind"] as? String == "Pod")
                #expect(byName["pods"]?["verbs"] as? [String] == ["create", "delete", "get", "list", "patch", "update", "watch"])
                #expect(byName["services"]?["shortNames"] as? [String] == ["svc"])
                #expect(byName["services"]?["categories"] as? [String] == ["all"])
                #expect(byName["persistentvolumeclaims"]?["shortNames"] as? [String] == ["pvc"])
                #expect(byName["persistentvolumeclaims"]?["categories"] == nil, "kubectl get all does not list claims")
                #expect(byName["persistentvolumes"]?["shortNames"] as? [String] == ["pv"])
                #expect(byName["persistentvolumes"]?["namespaced"] as? Bool == false)
                #expect(byName["nodes"]?["shortNames"] as? [String] == ["no"])
                #expect(byName["nodes"]?["namespaced"] as? Bool == false)
                #expect(byName["events"]?["shortNames"] as? [String] == ["ev"])
                #expect(byName["pods/log"]?["verbs"] as? [String] == ["get"])
            }
        }
    }

    @Test func appsResources_offerTheAutoscalingScaleSubresource() async throws {
        let app = Application(router: API.makeRouter(view: MemoryClusterView()))
        try await app.test(.router) { client in
            try await client.execute(uri: "/apis/apps/v1?timeout=32s", method: .get) { response in
                let body = try json(response)
                #expect(body["groupVersion"] as? String == "apps/v1")
                let byName = resources(body)
                #expect(Set(byName.keys) == ["statefulsets", "statefulsets/scale", "statefulsets/status", "controllerrevisions"])
                #expect(byName["statefulsets"]?["shortNames"] as? [String] == ["sts"])
                #expect(byName["statefulsets"]?["categories"] as? [String] == ["all"])
                #expect(byName["statefulsets"]?["namespaced"] as? Bool == true)
                let scale = try #require(byName["statefulsets/scale"])
                #expect(scale["group"] as? String == "autoscaling")
                #expect(scale["version"] as? String == "v1")
                #expect(scale["kind"] as? String == "Scale")
                #expect(scale["verbs"] as? [String] == ["get", "patch", "update"])
                #expect(byName["statefulsets/status"]?["kind"] as? String == "StatefulSet")
                #expect(byName["controllerrevisions"]?["shortNames"] == nil)
            }
        }
    }

    @Test func version_isKubernetesShapedAndNamesOrdinal() async throws {
        let app = Application(router: API.makeRouter(view: MemoryClusterView()))
        try await app.test(.router) { client in
            try await client.execute(uri: "/version?timeout=32s", method: .get) { response in
                let body = try json(response)
                #expect(body["major"] as? String == "1")
                #expect(body["minor"] as? String == "32")
                let gitVersion = try #require(body["gitVersion"] as? String)
                #expect(gitVersion.hasPrefix("v1.32.0+ordinal."))
            }
        }
    }

    @Test func openAPIv2_isAnEmptyOctetStream_andV3IsNotFound() async throws {
        let app = Application(router: API.makeRouter(view: MemoryClusterView()))
        try await app.test(.router) { client in
            let protobuf: HTTPFields = [.accept: "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"]
            try await client.execute(uri: "/openapi/v2?timeout=32s", method: .get, headers: protobuf) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/octet-stream")
                #expect(response.body.readableBytes == 0)
            }
            try await client.execute(uri: "/openapi/v3?timeout=32s", method: .get) { response in
                #expect(response.status == .notFound)
                let body = try json(response)
                #expect(body["kind"] as? String == "Status")
                #expect(body["reason"] as? String == "NotFound")
            }
            try await client.execute(uri: "/openapi/v3/apis/apps/v1", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func statefulSetStatus_isReadable() async throws {
        let app = Application(router: API.makeRouter(view: MemoryClusterView()))
        try await app.test(.router) { client in
            try await client.execute(uri: KubeRouteTests.sets, method: .post, body: ByteBuffer(string: KubeRouteTests.setJSON())) { _ in }
            try await client.execute(uri: KubeRouteTests.sets + "/web/status", method: .get) { response in
                #expect(response.status == .ok)
                let body = try json(response)
                #expect(body["kind"] as? String == "StatefulSet")
            }
        }
    }
}
