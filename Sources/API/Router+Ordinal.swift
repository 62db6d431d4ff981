package import ClusterState
import FoundationEssentials
package import Hummingbird

extension API {
    /// Routes of the agent API.
    /// - Parameters:
    ///   - view: the agent state the handlers read and write through.
    ///   - token: when set, every request but the health and version probes needs
    ///     `Authorization: Bearer <token>` (``BearerTokenMiddleware``).
    ///   - now: the wall clock that the AGE cells of server-side Tables are measured at.
    package static func makeRouter(
        view: some ClusterView, token: String? = nil, metrics: MetricsEndpoint? = nil,
        now: @escaping @Sendable () -> Timestamp = API.wallClock
    ) -> Router<BasicRequestContext> {
        let router = Router()
        if let metrics { router.add(middleware: RequestMetricsMiddleware(registry: metrics.registry)) }
        if let token { router.add(middleware: BearerTokenMiddleware(token: token)) }
        if let metrics {
            router.get("/metrics") { _, _ -> Response in
                let body = await metrics.render()
                return Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: body))
                )
            }
        }
        router.get("/healthz") { _, _ in
            "ok\n"
        }
        router.get("/ordinal/v1/members") { _, _ in
            MemberList(observer: view.nodeName, members: await view.members())
        }
        router.get("/ordinal/v1/raft") { _, _ in
            await view.raftStatus()
        }
        router.get("/ordinal/v1/usage") { _, _ in
            await view.usage()
        }
        router.get("/ordinal/v1/watch") { request, _ in
            try await ClusterWatch(view: view, query: request.uri.queryParameters).response()
        }
        router.get("/ordinal/v1/raft/leader") { _, _ in
            guard let status = await view.leaderRaftStatus() else {
                throw KubeStatus(code: 503, reason: "ServiceUnavailable", message: "no leader answered")
            }
            return status
        }
        addKeyValueRoutes(to: router, view: view)
        addKeyringRoutes(to: router, view: view)
        addSnapshotRoute(to: router, view: view)
        addDiscoveryRoutes(to: router)
        Dashboard.addRoutes(to: router)
        addKubeRoutes(to: router, view: view, now: now)
        return router
    }
}

extension API {
    /// The system clock, to the second.
    package static func wallClock() -> Timestamp {
        Timestamp(seconds: Int64(Date().timeIntervalSince1970))
    }
}
