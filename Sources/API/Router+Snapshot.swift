package import ClusterState
import Hummingbird

extension API {
    /// `GET /ordinal/v1/snapshot`: every object of this agent's replica at one applied
    /// index, as a Kubernetes `List` whose `resourceVersion` is that index — what
    /// `ordinal snapshot save` writes and `restore` reads back (etcdctl's `snapshot save`,
    /// in the API's own object format).
    static func addSnapshotRoute(to router: Router<BasicRequestContext>, view: some ClusterView) {
        router.get("/ordinal/v1/snapshot") { _, _ -> Response in
            let (state, index) = await view.cluster()
            return json(ObjectList(metadata: .init(resourceVersion: String(index)), items: state.allObjects))
        }
    }

    /// A `v1` `List` of objects of any kind.
    package struct ObjectList: Codable, Sendable {
        package struct Metadata: Codable, Sendable {
            package var resourceVersion: String
        }

        package var apiVersion = "v1"
        package var kind = "List"
        package var metadata: Metadata
        package var items: [ClusterObject]

        package init(metadata: Metadata, items: [ClusterObject]) {
            self.metadata = metadata
            self.items = items
        }
    }
}
