import AgentCore
import API
import Basics
import ClusterState
import Foundation
import Membership
import Runtime

extension NodeDriver {
    /// A pod's container log: read from this agent's disk when the pod runs here, otherwise
    /// streamed over the peer transport from the agent that runs it (``PeerLogs``), so
    /// `ordinal logs` works through any agent.
    func podLog(_ request: PodLogRequest) -> Result<AsyncThrowingStream<[UInt8], any Error>, StatusError> {
        let state = store.cluster.state
        guard let pod = state.pods[request.pod], let uid = pod.metadata.uid else { return .failure(.notFound(.pod, request.pod.name)) }
        let names = pod.spec.containers.map(\.name)
        let container: String
        if let asked = request.container {
            if let problem = Self.containerProblem(asked, in: pod) {
                return .failure(StatusError(code: 400, reason: "BadRequest", message: problem))
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
        let target = LogMessage.Target(
            pod: .init(namespace: request.pod.namespace, name: request.pod.name), uid: uid, container: container,
            tailLines: request.tailLines.map { UInt64(max($0, 0)) }, follow: request.follow
        )
        guard node == settings.name.name else {
            guard peerAddresses.address(of: NodeID(node)) != nil else {
                return .failure(StatusError(code: 503, reason: "ServiceUnavailable", message: "node \(node), which runs pod \(request.pod.name), is unreachable"))
            }
            return .success(peerLogs.read(target, from: NodeID(node), now: now))
        }
        return localLog(target).mapError { StatusError(code: 400, reason: "BadRequest", message: $0.reason) }
    }

    /// Another agent's log stream traffic: requests are served from this agent's disk.
    func receive(_ message: LogMessage, now: Instant) {
        let addresses = peerAddresses
        peerLogs.receive(message, now: now, open: localLog) { addresses.address(of: $0) != nil }
    }

    /// Why `container` names no log of `pod`, or nil. The name becomes a file name under the
    /// pod's log directory, so it must be a DNS label and one of the pod's containers — on
    /// the API's path and on another agent's request alike (a peer once read
    /// `../../../var/log/auth` through it).
    static func containerProblem(_ container: String, in pod: Pod) -> String? {
        guard NameSyntax.dns1123Label(container).isEmpty, pod.spec.containers.contains(where: { $0.name == container }) else {
            return "container \(container) is not valid for pod \(pod.metadata.name)"
        }
        return nil
    }

    /// A log of a pod placed on this agent, from its files.
    private func localLog(_ target: LogMessage.Target) -> Result<AsyncThrowingStream<[UInt8], any Error>, LogStreamError> {
        let key = ObjectKey(namespace: target.pod.namespace, name: target.pod.name)
        guard let pod = store.cluster.state.pods[key], pod.metadata.uid == target.uid, pod.nodeName == settings.name.name else {
            return .failure(LogStreamError(reason: "pod \(target.pod.name) does not run on node \(settings.name.name)"))
        }
        if let problem = Self.containerProblem(target.container, in: pod) { return .failure(LogStreamError(reason: problem)) }
        let files = PodLogFiles(directory: launchPlan.podDirectory(uid: target.uid) + "/logs")
        let text: String
        do {
            text = try files.read(container: target.container, tailLines: target.tailLines.map { Int(clamping: $0) })
        } catch {
            return .failure(LogStreamError(reason: "container \"\(target.container)\" in pod \"\(target.pod.name)\" has not written a log yet"))
        }
        guard target.follow else {
            return .success(AsyncThrowingStream { $0.yield(Array(text.utf8)); $0.finish() })
        }
        return .success(follow(files.current(target.container), first: Array(text.utf8), pod: key, uid: target.uid))
    }

    /// The bytes already read, then what the container appends, until the pod is gone or
    /// the reader leaves. A rotation (the file shrinks) restarts at the new file's start.
    /// Quiet for ``PeerLogs/keepAlive``, it yields an empty chunk, which keeps a stream read
    /// by another agent alive (an HTTP client gets nothing from it).
    private func follow(_ path: String, first: [UInt8], pod: ObjectKey, uid: String) -> AsyncThrowingStream<[UInt8], any Error> {
        AsyncThrowingStream { continuation in
            continuation.yield(first)
            let task = Task { [store, clock] in
                var offset = UInt64((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? UInt64) ?? 0)
                var lastSent = clock.now()
                while !Task.isCancelled, store.cluster.state.pods[pod]?.metadata.uid == uid {
                    try? await Task.sleep(for: .milliseconds(250))
                    if clock.now() - lastSent >= PeerLogs.keepAlive {
                        continuation.yield([])
                        lastSent = clock.now()
                    }
                    guard let handle = FileHandle(forReadingAtPath: path) else { continue }
                    defer { try? handle.close() }
                    let size = (try? handle.seekToEnd()) ?? 0
                    if size < offset { offset = 0 }
                    guard size > offset else { continue }
                    try? handle.seek(toOffset: offset)
                    if let data = try? handle.readToEnd() {
                        offset += UInt64(data.count)
                        continuation.yield(Array(data))
                        lastSent = clock.now()
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
