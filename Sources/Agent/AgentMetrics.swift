import API
import Basics
import ClusterState
import CoreMetrics
import Foundation
import Listening
import Membership
import Synchronization
import Telemetry
import Transport

/// Everything `/metrics` shows for one agent (docs/metrics.md lists each series).
///
/// Work the agent does is counted where it happens, through swift-metrics; state (members,
/// Raft indexes, pods by phase, database size) is read when a scrape asks for it, from what
/// the agent already publishes, so a scrape never waits for the node loop. Totals kept by
/// the transport and the gossip core are carried over as differences since the last scrape.
final class AgentMetrics: Sendable {
    let registry: MetricsRegistry
    let leaderChanges: CoreMetrics.Counter
    let proposals: CoreMetrics.Counter
    let commitDuration: CoreMetrics.Timer
    let snapshots: CoreMetrics.Counter
    let snapshotBytes: CoreMetrics.Meter
    let fsyncDuration: CoreMetrics.Timer
    let suspicions: CoreMetrics.Counter
    let controllerPasses: CoreMetrics.Counter
    let controllerPassDuration: CoreMetrics.Timer
    let podStarts: CoreMetrics.Counter
    let podAdoptions: CoreMetrics.Counter
    let containerRestarts: CoreMetrics.Counter
    let probeFailures: CoreMetrics.Counter
    let fencingKills: CoreMetrics.Counter
    /// The totals already carried over, by series name.
    private let carried = Mutex<[String: UInt64]>([:])

    init(registry: MetricsRegistry) {
        self.registry = registry
        let latency = MetricsRegistry.latencyBuckets
        leaderChanges = registry.counter("ordinal_raft_leader_changes_total", help: "Leaders this agent has seen take office (a new leader, or a new term).")
        proposals = registry.counter("ordinal_raft_proposals_total", help: "Entries this agent proposed to Raft (writes, controller passes, reports).")
        commitDuration = registry.timer(
            "ordinal_raft_commit_duration_seconds", help: "Time from proposing an entry to having it committed and applied on this agent.", buckets: latency
        )
        snapshots = registry.counter("ordinal_raft_snapshots_total", help: "Snapshots this agent took (log compactions) or installed from the leader.")
        snapshotBytes = registry.gauge("ordinal_raft_snapshot_size_bytes", help: "Size of the latest snapshot this agent took or installed.")
        fsyncDuration = registry.timer(
            "ordinal_storage_fsync_duration_seconds", help: "Time to make a batch of Raft state durable: the SQLite commit and its fsync.", buckets: latency
        )
        suspicions = registry.counter("ordinal_gossip_suspicions_total", help: "Times a member turned suspect in this agent's view.")
        controllerPasses = registry.counter("ordinal_controller_passes_total", help: "StatefulSet controller passes run by this agent as leader.")
        controllerPassDuration = registry.timer(
            "ordinal_controller_pass_duration_seconds", help: "Time to compute one controller pass.", buckets: latency
        )
        podStarts = registry.counter("ordinal_runtime_pod_starts_total", help: "Pods this agent started, each under a new keeper.")
        podAdoptions = registry.counter(
            "ordinal_runtime_pod_adoptions_total", help: "Pods this agent took over from keepers that outlived an earlier run of it."
        )
        containerRestarts = registry.counter("ordinal_runtime_container_restarts_total", help: "Container restarts in this agent's pods.")
        probeFailures = registry.counter("ordinal_runtime_probe_failures_total", help: "Failed readiness and liveness probes in this agent's pods.")
        fencingKills = registry.counter(
            "ordinal_runtime_fencing_kills_total", help: "Pods killed by their keeper because this agent's lease ran out."
        )
    }

    /// What a scrape reads: the agent's published view and its components' totals.
    struct Sample {
        var members: [Membership.Member]
        var raft: RaftStatus?
        var gossip: Membership.Counters
        var transport: TransportCounters.Snapshot
        var cluster: ClusterState
        var node: String
        var databaseBytes: UInt64
    }

    /// Sets the gauges and carries the totals over, then renders every series.
    func render(_ sample: Sample) -> [UInt8] {
        refresh(sample)
        return registry.render()
    }

    private func refresh(_ sample: Sample) {
        var byState: [Membership.Status: Int] = [:]
        for member in sample.members { byState[member.status, default: 0] += 1 }
        for state in [Membership.Status.alive, .suspect, .dead, .left] {
            registry.gauge("ordinal_gossip_members", help: "Members in this agent's view, by state.", labels: [("state", state.rawValue)])
                .set(byState[state] ?? 0)
        }
        if let raft = sample.raft {
            registry.gauge("ordinal_raft_term", help: "This agent's current Raft term.").set(Self.clamped(raft.term))
            registry.gauge("ordinal_raft_commit_index", help: "Highest log index this agent knows committed.").set(Self.clamped(raft.commitIndex))
            registry.gauge("ordinal_raft_applied_index", help: "Highest log index applied to this agent's replica.").set(Self.clamped(raft.appliedIndex))
            for role in ["follower", "preCandidate", "candidate", "leader"] {
                registry.gauge("ordinal_raft_role", help: "1 for this agent's Raft role, 0 for the others.", labels: [("role", role)])
                    .set(raft.role == role ? 1 : 0)
            }
        }
        registry.gauge("ordinal_storage_database_size_bytes", help: "Size of the SQLite database and its write-ahead log.").set(Self.clamped(sample.databaseBytes))
        // The names of Prometheus' own process collector: how close the agent is to the limit.
        registry.gauge("process_open_fds", help: "Number of open file descriptors.").set(DescriptorBudget.openDescriptors())
        registry.gauge("process_max_fds", help: "Maximum number of open file descriptors.").set(DescriptorBudget.softLimit())
        refreshCluster(sample.cluster, node: sample.node)
        carry(sample)
    }

    private func refreshCluster(_ state: ClusterState, node: String) {
        var phases: [String: Int] = [Pod.Phase.pending: 0, Pod.Phase.running: 0, Pod.Phase.succeeded: 0, Pod.Phase.failed: 0]
        var onThisNode = 0
        for pod in state.pods.values {
            phases[pod.phase ?? Pod.Phase.pending, default: 0] += 1
            if pod.nodeName == node { onThisNode += 1 }
        }
        for (phase, count) in phases where [Pod.Phase.pending, Pod.Phase.running, Pod.Phase.succeeded, Pod.Phase.failed].contains(phase) {
            registry.gauge("ordinal_pods", help: "Pods in the cluster, by phase.", labels: [("phase", phase)]).set(count)
        }
        registry.gauge("ordinal_runtime_pods", help: "Pods assigned to this agent's node.").set(onThisNode)
        let short = state.statefulSets.values.count { set in (set.status?.readyReplicas ?? 0) != set.replicas || (set.status?.replicas ?? 0) != set.replicas }
        registry.gauge("ordinal_controller_statefulsets_not_at_replicas", help: "StatefulSets whose ready or current replicas differ from the desired count.").set(short)
        registry.gauge("ordinal_statefulsets", help: "StatefulSets in the cluster.").set(state.statefulSets.count)
    }

    private func carry(_ sample: Sample) {
        let transport = sample.transport
        let totals: [(name: String, help: String, labels: [(String, String)], value: UInt64)] = [
            ("ordinal_gossip_probes_total", "SWIM protocol periods that pinged a member.", [], sample.gossip.probes),
            ("ordinal_gossip_refutations_total", "Suspicions or death claims about this agent that it refuted.", [], sample.gossip.refutations),
            ("ordinal_peer_frames_total", "Frames on the peer transport (gossip, Raft, leases, forwards, volumes), by direction.", [("direction", "in")], transport.receivedFrames),
            ("ordinal_peer_frames_total", "Frames on the peer transport (gossip, Raft, leases, forwards, volumes), by direction.", [("direction", "out")], transport.sentFrames),
            ("ordinal_peer_bytes_total", "Bytes on the peer transport, by direction.", [("direction", "in")], transport.receivedBytes),
            ("ordinal_peer_bytes_total", "Bytes on the peer transport, by direction.", [("direction", "out")], transport.sentBytes),
            ("ordinal_peer_dropped_frames_total", "Peer frames dropped, by reason.", [("reason", "unsealed")], transport.rejectedFrames),
            ("ordinal_peer_dropped_frames_total", "Peer frames dropped, by reason.", [("reason", "queue_full")], transport.droppedOutgoing),
            ("ordinal_peer_dropped_frames_total", "Peer frames dropped, by reason.", [("reason", "misdirected")], transport.misdirectedFrames),
            ("ordinal_peer_rejected_connections_total", "Peer connections closed for a bad frame or a timeout.", [], transport.rejectedConnections),
            ("ordinal_peer_refused_connections_total", "Inbound peer connections refused or closed for want of a slot, by reason.", [("reason", "full")], transport.refusedConnections),
            ("ordinal_peer_refused_connections_total", "Inbound peer connections refused or closed for want of a slot, by reason.", [("reason", "evicted")], transport.evictedConnections),
        ]
        carried.withLock { carried in
            for total in totals {
                let key = total.name + total.labels.map { "," + $0.1 }.joined()
                // Made even at zero: a series that appears only once something happened
                // leaves dashboards' rate() queries empty until then.
                let counter = registry.counter(total.name, help: total.help, labels: total.labels)
                let before = carried[key] ?? 0
                guard total.value > before else { continue }
                counter.increment(by: Self.clamped(total.value - before))
                carried[key] = total.value
            }
        }
    }

    private static func clamped(_ value: UInt64) -> Int64 {
        Int64(clamping: value)
    }

    /// The size of the database file and its write-ahead log.
    static func databaseBytes(path: String) -> UInt64 {
        [path, path + "-wal"].reduce(0) { total, file in
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.uint64Value ?? 0
            return total + size
        }
    }
}
