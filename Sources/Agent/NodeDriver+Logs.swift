import AgentCore
import API
import Basics
import ClusterState
import Foundation
import Membership
import Runtime

extension NodeDriver {
    /// A pod's container log: read from this agent's disk when the pod runs here, otherwise
    /// streamed from the API of the agent that runs it (`ordinal logs` works through any agent).
    func podLog(_ request: PodLogRequest) -> Result<AsyncThrowingStream<[UInt8], any Error>, StatusError> {
        let state = store.cluster.state
        guard let pod = state.pods[request.pod], let uid = pod.metadata.uid else { return .failure(.notFound(.pod, request.pod.name)) }
        let names = pod.spec.containers.map(\.name)
        let container: String
        if let asked = request.container {
            guard names.contains(asked) else {
                return .failure(StatusError(code: 400, reason: "BadRequest", message: "container \(asked) is not valid for pod \(pod.metadata.name)"))
            }
            container = asked
        } else {
            guard names.count == 1, let only = names.first else {
                return .failure(StatusError(code: 400, reason: "BadRequest", message: "a container name must be specified for pod \(pod.metadata.name), choose one of: [\(names.joined(separator: " "))]"))
            }
            container = only
        }
        guard let node = pod.nodeName else {
            return .failure(StatusError(code: 400, reason: "BadRequest", message: "container \"\(container)\" in pod \"\(pod.metadata.name)\" is waiting to start: the pod is not placed on a node yet"))
        }
        guard node == settings.name.name else { return remoteLog(request, container: container, node: node) }
        let files = PodLogFiles(directory: launchPlan.podDirectory(uid: uid) + "/logs")
        let text: String
        do {
            text = try files.read(container: container, tailLines: request.tailLines)
        } catch {
            return .failure(StatusError(code: 400, reason: "BadRequest", message: "container \"\(container)\" in pod \"\(pod.metadata.name)\" has not written a log yet"))
        }
        guard request.follow else {
            return .success(AsyncThrowingStream { $0.yield(Array(text.utf8)); $0.finish() })
        }
        return .success(follow(files.current(container), first: Array(text.utf8), pod: request.pod, uid: uid))
    }

    /// The bytes already read, then what the container appends, until the pod is gone or
    /// the reader leaves. A rotation (the file shrinks) restarts at the new file's start.
    private func follow(_ path: String, first: [UInt8], pod: ObjectKey, uid: String) -> AsyncThrowingStream<[UInt8], any Error> {
        AsyncThrowingStream { continuation in
            continuation.yield(first)
            let task = Task { [store] in
                var offset = UInt64((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? UInt64) ?? 0)
                while !Task.isCancelled, store.cluster.state.pods[pod]?.metadata.uid == uid {
                    try? await Task.sleep(for: .milliseconds(250))
                    guard let handle = FileHandle(forReadingAtPath: path) else { continue }
                    defer { try? handle.close() }
                    let size = (try? handle.seekToEnd()) ?? 0
                    if size < offset { offset = 0 }
                    guard size > offset else { continue }
                    try? handle.seek(toOffset: offset)
                    if let data = try? handle.readToEnd() {
                        offset += UInt64(data.count)
                        continuation.yield(Array(data))
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func remoteLog(_ request: PodLogRequest, container: String, node: String) -> Result<AsyncThrowingStream<[UInt8], any Error>, StatusError> {
        guard let member = members.first(where: { $0.id.name == node }), member.status == .alive || member.status == .suspect,
              let client = member.metadata[MetadataKey.api].flatMap(APIClient.init(address:))
        else {
            return .failure(StatusError(code: 503, reason: "ServiceUnavailable", message: "node \(node), which runs pod \(request.pod.name), is unreachable"))
        }
        var forwarded = request
        forwarded.container = container
        return .success(client.stream(forwarded.path))
    }
}
