import ClusterState
import HTTPTypes
import Hummingbird

extension KubeHandlers {
    /// `GET /api/v1/namespaces/{ns}/pods/{name}/log` with kubectl's `container`, `follow` and
    /// `tailLines`: the container's output as plain text, streamed while following.
    func podLog(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        guard context.parameters.get("plural") == "pods", context.parameters.get("subresource") == "log",
              let namespace = context.parameters.get("namespace"), let name = context.parameters.get("name")
        else {
            throw KubeStatus(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
        }
        let query = request.uri.queryParameters
        var tailLines: Int?
        if let text = query.get("tailLines") {
            guard let lines = Int(text), lines >= 0 else {
                throw KubeStatus(code: 400, reason: "BadRequest", message: "tailLines: Invalid value: \"\(text)\": must be a non-negative integer")
            }
            tailLines = lines
        }
        let follow = query.get("follow").map { $0 == "true" || $0 == "1" } ?? false
        let logRequest = PodLogRequest(pod: ObjectKey(namespace: namespace, name: name), container: query.get("container"), tailLines: tailLines, follow: follow)
        let stream: AsyncThrowingStream<[UInt8], any Error>
        switch await view.podLog(logRequest) {
        case .success(let body): stream = body
        case .failure(let error): throw KubeStatus(error)
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/plain"
        headers[.transferEncoding] = "chunked"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            do {
                for try await chunk in stream where !chunk.isEmpty { try await writer.write(ByteBuffer(bytes: chunk)) }
            } catch {
                try await writer.write(ByteBuffer(string: "\nlog stream ended: \(error)\n"))
            }
            try await writer.finish(nil)
        })
    }
}
