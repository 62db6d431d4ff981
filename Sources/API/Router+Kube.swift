import ClusterState
import FoundationEssentials
import HTTPTypes
package import Hummingbird

extension API {
    /// Kubernetes' resource paths for every kind Ordinal stores, under `/api/v1` (core),
    /// `/apis/apps/v1` and `/apis/policy/v1`: list (with `labelSelector`, `fieldSelector`, `watch`), get, create,
    /// update, merge patch, delete, the StatefulSet `scale` subresource and a read-only
    /// `status`, and a pod's `eviction`. Reads come from this agent's replica; writes go through Raft (forwarded to
    /// the leader). Lists and gets answer a Table when the Accept header asks for one.
    static func addKubeRoutes(to router: Router<BasicRequestContext>, view: some ClusterView,
                              now: @escaping @Sendable () -> Timestamp = API.wallClock) {
        let handlers = KubeHandlers(view: view, now: now)
        for (prefix, groupVersion) in [("/api/v1", "v1"), ("/apis/apps/v1", "apps/v1"), ("/apis/policy/v1", "policy/v1")] {
            for scope in ["", "/namespaces/:namespace"] {
                let collection = prefix + scope + "/:plural"
                let item = collection + "/:name"
                router.get(RouterPath(collection)) { request, context in
                    try await handlers.list(try handlers.target(context, groupVersion), request)
                }
                router.post(RouterPath(collection)) { request, context in
                    try await handlers.create(try handlers.target(context, groupVersion), request)
                }
                router.get(RouterPath(item)) { request, context in
                    try await handlers.get(try handlers.target(context, groupVersion), request)
                }
                router.put(RouterPath(item)) { request, context in
                    try await handlers.update(try handlers.target(context, groupVersion), request)
                }
                router.patch(RouterPath(item)) { request, context in
                    try await handlers.patch(try handlers.target(context, groupVersion), request)
                }
                router.delete(RouterPath(item)) { request, context in
                    try await handlers.delete(try handlers.target(context, groupVersion), request)
                }
            }
        }
        addNamespaceRoutes(to: router, handlers: handlers)
        // Subresources hang off the generic item path: a constant `statefulsets` segment
        // next to `:plural` would shadow the generic routes in the router's trie.
        let scale = "/apis/apps/v1/namespaces/:namespace/:plural/:name/:subresource"
        router.get(RouterPath(scale)) { request, context in
            if context.parameters.get("plural") == "statefulsets", context.parameters.get("subresource") == "status" {
                return try await handlers.get(try handlers.target(context, "apps/v1"), request)
            }
            return try await handlers.getScale(try handlers.scaleTarget(context))
        }
        router.put(RouterPath(scale)) { request, context in
            try await handlers.updateScale(try handlers.scaleTarget(context), request, patch: false)
        }
        router.patch(RouterPath(scale)) { request, context in
            try await handlers.updateScale(try handlers.scaleTarget(context), request, patch: true)
        }
        router.get(RouterPath("/api/v1/namespaces/:namespace/:plural/:name/:subresource")) { request, context in
            try await handlers.podLog(request, context)
        }
        router.post(RouterPath("/api/v1/namespaces/:namespace/:plural/:name/:subresource")) { request, context in
            try await handlers.evict(request, context)
        }
    }
}

extension API {
    /// `/api/v1/namespaces` and `/api/v1/namespaces/{name}`: the router prefers the constant
    /// `namespaces` segment of the namespaced paths over the generic `:plural`, so the
    /// Namespace kind needs its own routes (the item's name sits where a namespace would).
    private static func addNamespaceRoutes(to router: Router<BasicRequestContext>, handlers: KubeHandlers<some ClusterView>) {
        let resource = KubeResource(kind: .namespace)
        router.get("/api/v1/namespaces") { request, _ in
            try await handlers.list(KubeTarget(resource: resource), request)
        }
        router.post("/api/v1/namespaces") { request, _ in
            try await handlers.create(KubeTarget(resource: resource), request)
        }
        @Sendable func item(_ context: BasicRequestContext) -> KubeTarget {
            KubeTarget(resource: resource, name: context.parameters.get("namespace"))
        }
        router.get("/api/v1/namespaces/:namespace") { request, context in try await handlers.get(item(context), request) }
        router.put("/api/v1/namespaces/:namespace") { request, context in try await handlers.update(item(context), request) }
        router.patch("/api/v1/namespaces/:namespace") { request, context in try await handlers.patch(item(context), request) }
        router.delete("/api/v1/namespaces/:namespace") { request, context in try await handlers.delete(item(context), request) }
    }
}

/// The resource, namespace and name a request addresses.
struct KubeTarget {
    var resource: KubeResource
    /// nil for a cluster-scoped kind, or a namespaced kind listed across all namespaces.
    var namespace: String?
    var name: String?

    init(resource: KubeResource, namespace: String? = nil, name: String? = nil) {
        self.resource = resource
        self.namespace = namespace
        self.name = name
    }

    var kind: ObjectKind { resource.kind }

    var key: ObjectKey {
        ObjectKey(namespace: kind.isNamespaced ? namespace ?? "default" : "", name: name ?? "")
    }
}
