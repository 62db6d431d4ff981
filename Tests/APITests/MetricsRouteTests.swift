import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import Membership
import Telemetry
@testable import API

@Suite struct MetricsRouteTests {
    static func router(token: String? = "secret") -> (Router<BasicRequestContext>, MetricsRegistry) {
        let registry = MetricsRegistry()
        let endpoint = MetricsEndpoint(registry: registry) { registry.render() }
        return (API.makeRouter(view: RouterTests.FixedView(list: RouterTests.members), token: token, metrics: endpoint), registry)
    }

    @Test func metricsNeedTheTokenAndCountRequestsByVerbResourceAndCode() async throws {
        let (router, _) = Self.router()
        let app = Application(router: router)
        try await app.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .unauthorized)
            }
            let auth: HTTPFields = [.authorization: "Bearer secret"]
            try await client.execute(uri: "/ordinal/v1/members", method: .get, headers: auth) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/v1/namespaces/default/pods/web-0", method: .get, headers: auth) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/metrics", method: .get, headers: auth) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                let text = String(buffer: response.body)
                #expect(text.contains(#"ordinal_api_requests_total{verb="get",resource="members",code="200"} 1"#))
                #expect(text.contains(#"ordinal_api_requests_total{verb="get",resource="pods",code="404"} 1"#))
                #expect(text.contains(#"ordinal_api_requests_total{verb="get",resource="metrics",code="401"} 1"#))
                #expect(text.contains("# TYPE ordinal_api_request_duration_seconds histogram"))
            }
        }
    }

    @Test(arguments: [
        ("GET", "/api/v1/pods", "", "list", "pods"),
        ("GET", "/api/v1/pods", "watch=true", "watch", "pods"),
        ("GET", "/api/v1/namespaces/default/pods/web-0", "", "get", "pods"),
        ("GET", "/api/v1/namespaces/default/pods/web-0/log", "follow=true", "get", "pods/log"),
        ("PATCH", "/apis/apps/v1/namespaces/default/statefulsets/web/scale", "", "patch", "statefulsets/scale"),
        ("POST", "/apis/apps/v1/namespaces/default/statefulsets", "", "create", "statefulsets"),
        ("DELETE", "/api/v1/namespaces/default/persistentvolumeclaims/www-web-0", "", "delete", "persistentvolumeclaims"),
        ("PUT", "/api/v1/nodes/a1", "", "update", "nodes"),
        ("GET", "/api/v1/namespaces/default/secrets/x", "", "get", "other"),
        ("GET", "/api/v1/namespaces/default/pods/web-0/attack-of-the-labels", "", "get", "pods/other"),
        ("GET", "/ordinal/v1/raft", "", "get", "raft"),
        ("GET", "/ordinal/v1/raft/leader", "", "get", "raft"),
        ("GET", "/ordinal/v1/whatever", "", "get", "other"),
        ("GET", "/\u{1F600}/many/segments", "", "get", "other"),
        ("GET", "/ui", "", "get", "ui"),
        ("OPTIONS", "/api/v1/pods", "", "other", "pods"),
    ])
    func routesAreNamedAsTheAPIServerNamesThem(method: String, path: String, query: String, verb: String, resource: String) {
        let route = RequestRoute(path: path, method: HTTPRequest.Method(method)!, watch: query.contains("watch=true"))
        #expect(route.verb == verb)
        #expect(route.resource == resource)
    }

    @Test func dashboardFilesAreServedWithoutATokenAndNothingElseIs() async throws {
        let (router, _) = Self.router()
        let app = Application(router: router)
        try await app.test(.router) { client in
            try await client.execute(uri: "/ui", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("script-src 'self'") == true)
                let page = String(buffer: response.body)
                #expect(page.contains(#"<script src="/ui/dashboard.js"></script>"#))
                #expect(!page.contains("<script>"), "no inline script: the policy forbids it")
            }
            try await client.execute(uri: "/ui/dashboard.js", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("/ordinal/v1/watch?status=true"))
            }
            try await client.execute(uri: "/ui/dashboard.css", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/ui/other.js", method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/ordinal/v1/raft/leader", method: .get) { #expect($0.status == .unauthorized) }
        }
    }

    @Test func leaderStatusIsTheLeadersOwnOrUnavailable() async throws {
        let app = Application(router: API.makeRouter(view: RouterTests.FixedView(list: [])))
        try await app.test(.router) { client in
            try await client.execute(uri: "/ordinal/v1/raft/leader", method: .get) { response in
                #expect(response.status == .ok)
                let status = try JSONDecoder().decode(RaftStatus.self, from: Data(buffer: response.body))
                #expect(status.role == "leader")
            }
        }
        let follower = Application(router: API.makeRouter(view: FollowerView()))
        try await follower.test(.router) { client in
            try await client.execute(uri: "/ordinal/v1/raft/leader", method: .get) { #expect($0.status == .serviceUnavailable) }
        }
    }

    struct FollowerView: ClusterView {
        let nodeName = "a2"
        func members() async -> [Membership.Member] { [] }
        func raftStatus() async -> RaftStatus {
            RaftStatus(node: "a2", role: "follower", term: 3, leader: nil, leaderAPI: nil,
                       commitIndex: 9, appliedIndex: 9, lastIndex: 9, voters: ["a1", "a2"], learners: [])
        }
        func write(_ write: KeyValueWrite) async -> WriteOutcome { .unavailable(reason: "read-only view") }
        func read(key: String) async -> KeyValueEntry? { nil }
    }
}
