import API
import ClusterState
import Storage

extension NodeDriver {
    /// Largest cluster entry: well inside a 4 MiB peer frame, like etcd's 1.5 MiB request cap.
    static let maxEntryBytes = 1_500_000

    /// The wall-clock time stamped on proposals this agent makes.
    var wallClock: Timestamp { clock.wall() }

    /// Cluster commands through Raft as one entry (a follower's node hands it to the leader
    /// over the peer transport). Answers once the entry is applied here, with what each
    /// command did.
    func submit(_ commands: [ClusterCommand]) async -> SubmitOutcome {
        let data = LogEntryCodec.encode(.cluster(ClusterProposal(at: wallClock, commands: commands)), format: store.clusterVersion)
        guard data.count <= Self.maxEntryBytes else {
            return .unavailable(reason: "the change is \(data.count) bytes; at most \(Self.maxEntryBytes) fit in one entry")
        }
        switch await propose(data) {
        case .committed(let index):
            guard let applied = store.outcome(at: index) else {
                return .unavailable(reason: "entry \(index) committed but its outcome is no longer known")
            }
            return .applied(applied.results)
        case .failed(let reason):
            return .unavailable(reason: reason)
        }
    }
}
