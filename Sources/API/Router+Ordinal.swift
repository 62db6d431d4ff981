package import Hummingbird

extension API {
    /// Routes of the agent API.
    /// - Parameters:
    ///   - view: the agent state the handlers read and write through.
    ///   - token: when set, writes need `Authorization: Bearer <token>`.
    package static func makeRouter(view: some ClusterView, token: String? = nil) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/healthz") { _, _ in
            "ok\n"
        }
        router.get("/ordinal/v1/members") { _, _ in
            MemberList(observer: view.nodeName, members: await view.members())
        }
        router.get("/ordinal/v1/raft") { _, _ in
            await view.raftStatus()
        }
        addKeyValueRoutes(to: router, view: view)
        addKubeRoutes(to: router, view: view, token: token)
        return router
    }
}
