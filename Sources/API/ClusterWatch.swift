import ClusterState
import FoundationEssentials
import HTTPTypes
import Hummingbird

/// `GET /ordinal/v1/watch?kinds=pods,statefulsets,…[&status=true]`: one stream of several
/// kinds' changes, for the dashboard. A browser holds at most six HTTP/1.1 connections to one
/// host, shared by all its tabs, so a page with a watch per kind would stall its own reloads
/// and every second tab; one stream per page leaves room.
///
/// Lines: an `ADDED` event per existing object of the kinds, then `{"type":"BOOKMARK",
/// "resourceVersion":…,"initialEventsEnd":true}` (what Kubernetes sends after the initial
/// events of a `sendInitialEvents` watch), then the changes as they are applied. With
/// `status=true`, a `STATUS` line every second carries the members, this agent's Raft view
/// and the leader's (with every member's progress), so the page needs no polling. The stream
/// ends after `timeoutSeconds` (at most 30 minutes), and the page opens another.
struct ClusterWatch<View: ClusterView> {
    let view: View
    let kinds: Set<ObjectKind>
    let status: Bool
    /// Ends the stream, as a Kubernetes watch's `timeoutSeconds` does (at most 30 minutes).
    let seconds: Int

    init(view: View, query: Parameters) throws {
        self.view = view
        let names = (query.get("kinds") ?? "").split(separator: ",").map(String.init)
        var kinds = Set<ObjectKind>()
        for name in names {
            guard let kind = ObjectKind.allCases.first(where: { $0.plural == name }) else {
                throw KubeStatus.badRequest("unknown kind in kinds: \(name.prefix(64))")
            }
            kinds.insert(kind)
        }
        guard !kinds.isEmpty else { throw KubeStatus.badRequest("kinds: name one or more resources, e.g. kinds=pods,statefulsets") }
        self.kinds = kinds
        status = query.get("status") == "true"
        seconds = max(0, min(query.get("timeoutSeconds").flatMap(Int.init) ?? KubeWatch<View>.maxDuration, KubeWatch<View>.maxDuration))
    }

    private enum Item: Sendable {
        case change(Change)
        case status
    }

    func response() async throws -> Response {
        let (state, index) = await view.cluster()
        guard let feed = view.watch(after: index) else {
            throw KubeStatus(code: 503, reason: "ServiceUnavailable", message: "the change feed is not available")
        }
        let initial = kinds.sorted { $0.rawValue < $1.rawValue }.flatMap { state.objects($0) }
        let (kinds, view, status, seconds) = (self.kinds, self.view, self.status, self.seconds)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.transferEncoding] = "chunked"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            var encoder = KubeWatch<View>.EventEncoder(table: nil, now: API.wallClock)
            for object in initial {
                try await writer.write(encoder.line(Change.Kind.added.rawValue, object))
            }
            try await writer.write(Self.line(Bookmark(resourceVersion: String(index))))
            let (items, sink) = AsyncStream<Item>.makeStream(bufferingPolicy: .bufferingOldest(KubeWatch<View>.maxPending))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await change in feed where kinds.contains(change.object.kind) {
                        if case .dropped = sink.yield(.change(change)) { break }
                    }
                    sink.finish()
                }
                group.addTask {
                    try? await Task.sleep(for: .seconds(seconds))
                    sink.finish()
                }
                if status {
                    group.addTask {
                        while !Task.isCancelled {
                            if case .dropped = sink.yield(.status) { break }
                            try? await Task.sleep(for: .seconds(1))
                        }
                    }
                }
                for await item in items {
                    switch item {
                    case .change(let change):
                        try await writer.write(encoder.line(change.kind.rawValue, change.object))
                    case .status:
                        let raft = await view.raftStatus()
                        let leader = raft.role == "leader" ? raft : await view.leaderRaftStatus()
                        let members = MemberList(observer: view.nodeName, members: await view.members())
                        try await writer.write(Self.line(StatusEvent(members: members, raft: raft, leader: leader)))
                    }
                }
                group.cancelAll()
            }
            try await writer.finish(nil)
        })
    }

    private static func line(_ value: some Encodable) -> ByteBuffer {
        var bytes = (try? API.jsonEncoder.encode(value)).map(Array.init) ?? []
        bytes.append(0x0A)
        return ByteBuffer(bytes: bytes)
    }

    private struct Bookmark: Encodable {
        var type = "BOOKMARK"
        var resourceVersion: String
        var initialEventsEnd = true
    }

    private struct StatusEvent: Encodable {
        var type = "STATUS"
        var members: MemberList
        var raft: RaftStatus
        var leader: RaftStatus?
    }
}
