import ClusterState
import FoundationEssentials
import HTTPTypes
import Hummingbird

/// A `?watch=true` stream: one JSON event per line (`{"type":"ADDED","object":{…}}`), as the
/// Kubernetes API server writes them. Without a `resourceVersion` (or with `0`) it starts
/// with an ADDED event per existing object; with one, it replays the changes after it (410
/// Gone when that is older than the history kept). It ends after `timeoutSeconds` (at most
/// 30 minutes) or when the client goes away.
struct KubeWatch<View: ClusterView> {
    let view: View
    let filter: ObjectFilter

    static var maxDuration: Int { 1800 }

    func response(query: Parameters) async throws -> Response {
        let (state, index) = await view.cluster()
        let requested = query.get("resourceVersion").flatMap(UInt64.init) ?? 0
        let start = requested == 0 ? index : requested
        guard let feed = view.watch(after: start) else {
            throw KubeStatus(code: 410, reason: "Expired", message: "too old resource version: \(requested)")
        }
        let initial = requested == 0 ? state.objects(filter.kind, namespace: filter.namespace).filter(filter.matches) : []
        let seconds = min(query.get("timeoutSeconds").flatMap(Int.init) ?? Self.maxDuration, Self.maxDuration)
        let filter = self.filter
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.transferEncoding] = "chunked"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            for object in initial {
                try await writer.write(Self.line(WatchEvent(type: Change.Kind.added.rawValue, object: object)))
            }
            let (events, sink) = AsyncStream<Change>.makeStream()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await change in feed { sink.yield(change) }
                    sink.finish()
                }
                group.addTask {
                    try? await Task.sleep(for: .seconds(seconds))
                    sink.finish()
                }
                for await change in events where filter.matches(change.object) {
                    try await writer.write(Self.line(WatchEvent(type: change.kind.rawValue, object: change.object)))
                }
                group.cancelAll()
            }
            try await writer.finish(nil)
        })
    }

    private static func line(_ event: WatchEvent) -> ByteBuffer {
        var bytes = (try? API.jsonEncoder.encode(event)).map(Array.init) ?? []
        bytes.append(0x0A)
        return ByteBuffer(bytes: bytes)
    }
}
