import HTTPTypes
import Hummingbird

extension API {
    /// What kubectl fetches before any command (reference §1–4): the discovery documents,
    /// `/version`, and the OpenAPI answers that let `apply` validate without
    /// `--validate=false`. The Accept header is not consulted here: kubectl 1.32's aggregated
    /// discovery request gets the legacy JSON documents, which it accepts.
    static func addDiscoveryRoutes(to router: Router<BasicRequestContext>) {
        router.get("/api") { _, _ in API.json(Discovery.APIVersions()) }
        router.get("/apis") { _, _ in API.json(Discovery.APIGroupList(groups: Discovery.groups)) }
        router.get("/api/v1") { _, _ in API.json(Discovery.resources("v1")) }
        for group in Discovery.groups {
            let document = Discovery.APIGroup(kind: "APIGroup", apiVersion: "v1", name: group.name,
                                              versions: group.versions, preferredVersion: group.preferredVersion)
            router.get(RouterPath("/apis/" + group.name)) { _, _ in API.json(document) }
            for version in group.versions {
                router.get(RouterPath("/apis/" + version.groupVersion)) { _, _ in API.json(Discovery.resources(version.groupVersion)) }
            }
        }
        router.get("/version") { _, _ in API.json(Discovery.Version()) }
        // An empty body is an empty protobuf `openapi_v2.Document`: kubectl finds no schema and
        // skips client-side validation. Never the `…@v1.0+protobuf` type: Go's mime parser
        // rejects the `@` (reference §4).
        router.get("/openapi/v2") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/octet-stream"
            return Response(status: .ok, headers: headers, body: .init())
        }
        // kubectl 1.32 tries v3 first and falls back to v2 on a 404.
        for path in ["/openapi/v3", "/openapi/v3/**"] {
            router.get(RouterPath(path)) { _, _ -> Response in
                throw KubeStatus(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
            }
        }
    }
}
