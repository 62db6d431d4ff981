import FoundationEssentials
import Hummingbird
package import HTTPTypes

extension API {
    /// Header a forwarding agent sets, so the receiver does not forward again.
    /// Largest value accepted by `PUT /ordinal/v1/kv/{key}`.
    static let maxValueBytes = 1 << 20

    /// The replicated key-value test state: writes go through Raft (forwarded to the
    /// leader), reads come from the answering agent's replica.
    static func addKeyValueRoutes(to router: Router<BasicRequestContext>, view: some ClusterView) {
        router.put("/ordinal/v1/kv/:key") { request, context -> Response in
            let key = try validKey(context)
            let body = try await request.body.collect(upTo: maxValueBytes)
            return try outcome(await view.write(.put(key: key, value: Array(buffer: body))), key: key)
        }
        router.delete("/ordinal/v1/kv/:key") { request, context -> Response in
            let key = try validKey(context)
            return try outcome(await view.write(.delete(key: key)), key: key)
        }
        router.get("/ordinal/v1/kv/:key") { _, context -> Response in
            let key = try validKey(context)
            guard let entry = await view.read(key: key) else {
                throw HTTPError(.notFound, message: "key \"\(key)\" not found")
            }
            var headers = HTTPFields()
            headers[.contentType] = "application/octet-stream"
            headers[HTTPField.Name("X-Ordinal-Revision")!] = "\(entry.revision)"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: entry.value)))
        }
    }

    private static func validKey(_ context: BasicRequestContext) throws -> String {
        guard let key = context.parameters.get("key"), !key.isEmpty, key.utf8.count <= 256 else {
            throw HTTPError(.badRequest, message: "a key is 1 to 256 bytes")
        }
        return key
    }

    private static func outcome(_ outcome: WriteOutcome, key: String) throws -> Response {
        switch outcome {
        case .committed(let index):
            let body = "{\"key\":\(jsonQuoted(key)),\"index\":\"\(index)\"}"
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
        case .unavailable(let reason):
            throw HTTPError(.serviceUnavailable, message: reason)
        }
    }
}
