import ClusterState
import HTTPTypes
import Hummingbird

/// policy/v1 `Eviction`, the body kubectl drain posts (policy/v1beta1 has the same shape).
struct Eviction: Decodable {
    struct Preconditions: Decodable { var uid: String? }
    struct DeleteOptions: Decodable { var preconditions: Preconditions? }

    var apiVersion: String?
    var kind: String?
    var metadata: ObjectMeta
    var deleteOptions: DeleteOptions?
}

extension KubeHandlers {
    /// `POST /api/v1/namespaces/{ns}/pods/{name}/eviction`: deletes the pod unless that
    /// would break its PodDisruptionBudget (429, which kubectl drain retries). The check
    /// runs where the entry is applied (``ClusterState``), not here, so two evictions sent
    /// to two agents at once cannot both take the last allowed disruption.
    func evict(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        guard context.parameters.get("plural") == "pods", context.parameters.get("subresource") == "eviction",
              let namespace = context.parameters.get("namespace"), let name = context.parameters.get("name")
        else {
            throw KubeStatus(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
        }
        let eviction = try Self.decode(Eviction.self, try await request.body.collect(upTo: Self.maxBody))
        guard eviction.metadata.name == name else {
            throw KubeStatus.badRequest("name in URL does not match name in Eviction object")
        }
        if let given = eviction.metadata.namespace, given != namespace {
            throw KubeStatus.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        let uid = eviction.deleteOptions?.preconditions?.uid
        _ = try await submitOne(.evict(pod: ObjectKey(namespace: namespace, name: name), uid: uid))
        var success = KubeStatus(code: 201, reason: "", message: "")
        success.outcome = "Success"
        return API.json(success, status: .created)
    }
}
