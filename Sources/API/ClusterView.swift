package import Basics
package import ClusterState
package import Membership

/// What the API reads from, and writes through, the agent it runs in. The agent implements
/// it; tests pass a fixed view, which keeps the API free of the agent's machinery.
package protocol ClusterView: Sendable {
    /// The agent's own name.
    var nodeName: String { get }
    /// Every member this agent knows, itself included, sorted by name.
    func members() async -> [Membership.Member]
    /// This agent's view of Raft.
    func raftStatus() async -> RaftStatus
    /// The leader's view of Raft (with each member's replication progress): this agent's
    /// own when it leads, else asked of the leader's API; nil when there is none to ask.
    func leaderRaftStatus() async -> RaftStatus?
    /// CPU and memory of this agent's machine and pods (`/ordinal/v1/usage`).
    func usage() async -> UsageReport
    /// Replicates a write through Raft (a follower hands it to the leader over the peer
    /// transport); answers once this agent applied it.
    func write(_ write: KeyValueWrite) async -> WriteOutcome
    /// Reads a key from this agent's own replica.
    func read(key: String) async -> KeyValueEntry?
    /// The cluster state of this agent's own replica, and the index it is applied through.
    func cluster() async -> (state: ClusterState, index: UInt64)
    /// Replicates cluster commands through Raft as one entry and returns what each did,
    /// once this agent applied it.
    func submit(_ commands: [ClusterCommand]) async -> SubmitOutcome
    /// Changes applied after `index`, then live; nil when `index` is too old.
    func watch(after index: UInt64) -> AsyncStream<Change>?
    /// A pod's container log, read on the agent that runs the pod (this one, or through its
    /// API), or why it cannot be read.
    func podLog(_ request: PodLogRequest) async -> Result<AsyncThrowingStream<[UInt8], any Error>, StatusError>
    /// Applies a keyring operation on every live agent and reports each one's answer.
    func keyring(_ operation: KeyringOperation) async -> KeyringReport
}

/// `GET …/pods/{name}/log`: which container, how much, and whether to keep following.
package struct PodLogRequest: Sendable, Hashable {
    package var pod: ObjectKey
    package var container: String?
    package var tailLines: Int?
    package var follow: Bool

    package init(pod: ObjectKey, container: String?, tailLines: Int?, follow: Bool) {
        self.pod = pod
        self.container = container
        self.tailLines = tailLines
        self.follow = follow
    }

    /// The request's path and query, to ask the agent that runs the pod.
    package var path: String {
        var query = [container.map { "container=\($0)" }, tailLines.map { "tailLines=\($0)" }, follow ? "follow=true" : nil].compactMap { $0 }
        query = query.isEmpty ? [] : ["?" + query.joined(separator: "&")]
        return "/api/v1/namespaces/\(pod.namespace)/pods/\(pod.name)/log" + query.joined()
    }
}

/// Where watches come from: the agent's feed of applied changes.
package protocol ChangeSource: Sendable {
    func watch(after index: UInt64) -> AsyncStream<Change>?
}

/// How a submission of cluster commands ended.
package enum SubmitOutcome: Sendable, Hashable {
    /// Committed and applied; one result per command.
    case applied([ApplyResult])
    /// Not committed; the client may retry (no leader, leadership changed, timed out).
    case unavailable(reason: String)
}

/// A change to the replicated key-value test state.
package enum KeyValueWrite: Sendable, Hashable {
    case put(key: String, value: [UInt8])
    case delete(key: String)

    package var key: String {
        switch self {
        case .put(let key, _), .delete(let key): key
        }
    }
}

/// How a write ended.
package enum WriteOutcome: Sendable, Hashable {
    /// Committed by a quorum at this log index: durable on a majority.
    case committed(index: UInt64)
    /// Not committed; the client may retry (no leader, leadership changed, timed out).
    case unavailable(reason: String)
}

/// One key of the replicated key-value test state.
package struct KeyValueEntry: Sendable, Hashable {
    package var value: [UInt8]
    /// The log index that last wrote the key.
    package var revision: UInt64

    package init(value: [UInt8], revision: UInt64) {
        self.value = value
        self.revision = revision
    }
}

extension ClusterView {
    /// Views without processes of their own report none.
    package func usage() async -> UsageReport {
        UsageReport(node: nodeName, window: 0, cpuMillicores: 0, memoryBytes: 0, memoryTotalBytes: 0, cores: 0, pods: [])
    }

    /// Views that cannot reach other agents know the leader's view only when they lead.
    package func leaderRaftStatus() async -> RaftStatus? {
        let status = await raftStatus()
        return status.role == "leader" ? status : nil
    }
}
