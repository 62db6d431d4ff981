import ClusterState
import CoreMetrics
import HTTPTypes
package import Hummingbird
package import Telemetry

/// `/metrics` on the API: where the agent's series come from.
package struct MetricsEndpoint: Sendable {
    package var registry: MetricsRegistry
    /// Refreshes the gauges read at scrape time and renders every series.
    package var render: @Sendable () async -> [UInt8]

    package init(registry: MetricsRegistry, render: @escaping @Sendable () async -> [UInt8]) {
        self.registry = registry
        self.render = render
    }
}

/// Counts API requests by Kubernetes verb, resource and status code, and times them to the
/// response head (a watch or a followed log counts once, when its stream opens). Resources
/// outside the known list count as `other`, so a client cannot grow the label set.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let registry: MetricsRegistry
    private let duration: CoreMetrics.Timer

    init(registry: MetricsRegistry) {
        self.registry = registry
        duration = registry.timer(
            "ordinal_api_request_duration_seconds", help: "Time from an API request to its response head.", buckets: MetricsRegistry.latencyBuckets
        )
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let route = RequestRoute(path: request.uri.path, method: request.method, watch: Self.isWatch(request.uri.query))
        do {
            let response = try await next(request, context)
            record(route, code: response.status.code, since: started)
            return response
        } catch {
            let code = (error as? any HTTPResponseError)?.status.code ?? 500
            record(route, code: code, since: started)
            throw error
        }
    }

    private func record(_ route: RequestRoute, code: Int, since started: ContinuousClock.Instant) {
        duration.recordInterval(since: started)
        registry.counter(
            "ordinal_api_requests_total", help: "API requests by Kubernetes verb, resource and HTTP status code.",
            labels: [("verb", route.verb), ("resource", route.resource), ("code", String(code))]
        ).increment()
    }

    private static func isWatch(_ query: String?) -> Bool {
        guard let query else { return false }
        return query.split(separator: "&").contains { $0 == "watch=true" || $0 == "watch=1" }
    }
}

/// A request's verb and resource as the Kubernetes API server names them.
struct RequestRoute: Hashable {
    var verb: String
    var resource: String

    /// Paths Ordinal serves outside the Kubernetes resources, by first segment.
    static let ownPaths: Set<String> = ["healthz", "livez", "readyz", "version", "metrics", "ui", "openapi", "api", "apis"]
    static let ordinalResources: Set<String> = ["members", "raft", "kv", "keyring", "snapshot", "watch", "usage"]

    init(path: String, method: HTTPRequest.Method, watch: Bool) {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let (resource, named) = Self.resource(segments)
        self.resource = resource
        switch method {
        case .get: verb = watch || resource == "watch" ? "watch" : (named ? "get" : "list")
        case .post: verb = "create"
        case .put: verb = "update"
        case .patch: verb = "patch"
        case .delete: verb = named ? "delete" : "deletecollection"
        case .head: verb = "get"
        default: verb = "other"
        }
    }

    /// The resource named by a path, and whether the path names one object of it.
    private static func resource(_ segments: [String]) -> (String, Bool) {
        var rest: ArraySlice<String>
        switch segments.first {
        case "api"?: rest = segments.dropFirst(2)  // api, v1
        case "apis"?: rest = segments.dropFirst(3)  // apis, group, version
        case "ordinal"?:
            // Ordinal's own resources are single documents, but for a key under kv.
            let name = segments.count > 2 ? segments[2] : ""
            return (ordinalResources.contains(name) ? name : "other", name != "kv" || segments.count > 3)
        case let first?: return (ownPaths.contains(first) ? first : "other", true)
        case nil: return ("other", false)
        }
        if rest.first == "namespaces", rest.count >= 3 { rest = rest.dropFirst(2) }
        guard let plural = rest.first else { return (segments.first ?? "other", false) }
        let known = ObjectKind.allCases.contains { $0.plural == plural } || plural == "namespaces"
        guard known else { return ("other", rest.count > 1) }
        if rest.count >= 3 { return (plural + "/" + (rest.dropFirst(2).first.map { ["log", "scale", "status", "eviction", "exec"].contains($0) ? $0 : "other" } ?? ""), true) }
        return (plural, rest.count > 1)
    }
}
