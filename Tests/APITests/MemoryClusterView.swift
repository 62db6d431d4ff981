import API
import Basics
import ClusterState
import Membership
import Synchronization

/// What the fixed test views answer for the cluster routes they do not exercise.
extension ClusterView {
    func cluster() async -> (state: ClusterState, index: UInt64) { (ClusterState(), 0) }
    func submit(_ commands: [ClusterCommand]) async -> SubmitOutcome {
        .unavailable(reason: "no leader is known yet; retry")
    }
    func watch(after index: UInt64) -> AsyncStream<Change>? { nil }
    /// A one-agent keyring report that names the operation and its key's first byte.
    func keyring(_ operation: KeyringOperation) async -> KeyringReport {
        KeyringReport(operation: operation.name, answers: [
            KeyringReport.Answer(node: nodeName, keys: operation.key.map { ["first-byte-\($0[0])"] } ?? [], error: nil),
        ])
    }
    /// Logs of a pod in the fixed view: its name and the request, one line each.
    func podLog(_ request: PodLogRequest) async -> Result<AsyncThrowingStream<[UInt8], any Error>, StatusError> {
        guard await cluster().state.pods[request.pod] != nil else { return .failure(.notFound(.pod, request.pod.name)) }
        let text = "log of \(request.pod.name)\ncontainer=\(request.container ?? "-") tail=\(request.tailLines.map(String.init) ?? "-") follow=\(request.follow)\n"
        return .success(AsyncThrowingStream { continuation in
            continuation.yield(Array(text.utf8))
            continuation.finish()
        })
    }
}

/// A one-replica cluster in memory: every submission is applied at the next index, as a
/// committed Raft entry would be, and every change goes to the watchers.
final class MemoryClusterView: ClusterView, Sendable {
    let nodeName = "a1"
    private let state = Mutex<(cluster: ClusterState, index: UInt64, changes: [Change], watchers: [AsyncStream<Change>.Continuation])>((ClusterState(), 0, [], []))
    /// The wall-clock time stamped on submissions.
    let now = Timestamp(seconds: 1_800_000_000)

    func members() async -> [Membership.Member] { [] }
    func raftStatus() async -> RaftStatus {
        RaftStatus(node: "a1", role: "leader", term: 1, leader: "a1", leaderAPI: nil,
                   commitIndex: 0, appliedIndex: 0, lastIndex: 0, voters: ["a1"], learners: [])
    }
    func write(_ write: KeyValueWrite) async -> WriteOutcome { .unavailable(reason: "not used") }
    func read(key: String) async -> KeyValueEntry? { nil }

    func cluster() async -> (state: ClusterState, index: UInt64) {
        state.withLock { ($0.cluster, $0.index) }
    }

    func submit(_ commands: [ClusterCommand]) async -> SubmitOutcome {
        let (results, changes, watchers) = state.withLock { state in
            state.index += 1
            let applied = state.cluster.apply(ClusterProposal(at: now, commands: commands), at: state.index)
            state.changes += applied.changes
            return (applied.results, applied.changes, state.watchers)
        }
        for watcher in watchers { for change in changes { watcher.yield(change) } }
        return .applied(results)
    }

    func watch(after index: UInt64) -> AsyncStream<Change>? {
        let (stream, continuation) = AsyncStream<Change>.makeStream()
        state.withLock { state in
            for change in state.changes where change.index > index { continuation.yield(change) }
            state.watchers.append(continuation)
        }
        return stream
    }

    /// Ends every watch stream.
    func finishWatches() {
        for watcher in state.withLock({ $0.watchers }) { watcher.finish() }
    }
}
