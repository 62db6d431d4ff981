import ClusterState
import FoundationEssentials
import HTTPTypes
import Hummingbird

/// A `?watch=true` stream: one JSON event per line (`{"type":"ADDED","object":{…}}`), as the
/// Kubernetes API server writes them. Without a `resourceVersion` (or with `0`) it starts
/// with an ADDED event per existing object; with one, it replays the changes after it (410
/// Gone when that is older than the history kept). It ends after `timeoutSeconds` (at most
/// 30 minutes) or when the client goes away. With a Table Accept (`kubectl get -w`) each
/// event's object is a one-row Table, the columns sent in the first event only.
struct KubeWatch<View: ClusterView> {
    let view: View
    let filter: ObjectFilter
    var table: TableRequest?
    var now: @Sendable () -> Timestamp = API.wallClock

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
        let (table, now) = (self.table, self.now)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.transferEncoding] = "chunked"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            var encoder = EventEncoder(table: table, now: now)
            for object in initial {
                try await writer.write(encoder.line(Change.Kind.added.rawValue, object))
            }
            // Bounded: a client that stops reading has its watch ended once this many changes
            // wait for it (it watches again from the last version it saw, as after any end),
            // so it cannot make the agent hold the feed without limit.
            let (events, sink) = AsyncStream<Change>.makeStream(bufferingPolicy: .bufferingOldest(Self.maxPending))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await change in feed {
                        if case .dropped = sink.yield(change) { break }
                    }
                    sink.finish()
                }
                group.addTask {
                    try? await Task.sleep(for: .seconds(seconds))
                    sink.finish()
                }
                for await change in events where filter.matches(change.object) {
                    try await writer.write(encoder.line(change.kind.rawValue, change.object))
                }
                group.cancelAll()
            }
            try await writer.finish(nil)
        })
    }

    /// Changes a watch may have waiting for a slow client before the watch is ended.
    static var maxPending: Int { 4_096 }

    /// Writes events as JSON lines: full objects, or one-row Tables with the columns in the
    /// first line only.
    struct EventEncoder {
        let table: TableRequest?
        let now: @Sendable () -> Timestamp
        private var sentColumns = false

        init(table: TableRequest?, now: @escaping @Sendable () -> Timestamp) {
            self.table = table
            self.now = now
        }

        mutating func line(_ type: String, _ object: ClusterObject) -> ByteBuffer {
            let encoded: Data?
            if let table {
                let rows = table.table(object.kind, [object], resourceVersion: object.metadata.resourceVersion ?? "",
                                       now: now(), withColumns: !sentColumns)
                sentColumns = true
                encoded = try? API.jsonEncoder.encode(TableWatchEvent(type: type, object: rows))
            } else {
                encoded = try? API.jsonEncoder.encode(WatchEvent(type: type, object: object))
            }
            var bytes = encoded.map(Array.init) ?? []
            bytes.append(0x0A)
            return ByteBuffer(bytes: bytes)
        }
    }
}

/// One line of a `get -w` stream.
struct TableWatchEvent: Encodable {
    var type: String
    var object: KubeTable
}
