package import Hummingbird

extension API {
    /// Routes of the agent API.
    /// - Parameter view: the agent state the handlers read and write through.
    package static func makeRouter(view: some ClusterView) -> Router<BasicRequestContext> {
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
        return router
    }
}
