import Basics

/// How the agent composes its cores: Raft's clock, bootstrapping and voter upkeep.
package struct AgentCoreSettings: Sendable, Hashable {
    /// One Raft tick; elections and heartbeats are counted in ticks (`Raft.Settings`).
    package var raftTick: Duration = .milliseconds(50)
    /// Form the first Raft configuration once this many agents that expect the same number
    /// have met through gossip (`--bootstrap-expect`); nil never bootstraps (join only).
    package var bootstrapExpect: Int?
    /// Most voters the leader keeps; every other agent is a learner.
    package var maxVoters: Int = 5
    /// How long gossip must report a voter dead before the leader replaces it.
    package var replaceDeadVoterAfter: Duration = .seconds(10)
    /// How long gossip must say an agent left before the leader removes it from the Raft
    /// configuration: long enough for a forged `left` claim to be refuted by its subject.
    package var leftSettle: Duration = .seconds(2)
    /// How often the leader reviews the configuration against gossip.
    package var reviewInterval: Duration = .milliseconds(500)
    /// A learner is promoted only when it is at most this many entries behind the leader.
    package var promotionLag: UInt64 = 64
    /// How long an agent may run its pods after its last renewal with the leader (`--lease`).
    package var lease: Duration = .seconds(4)
    /// What the leader adds to a lease before it moves pods off a silent agent: room for
    /// clock-rate differences and for a supervisor that notices its deadline late.
    package var leaseMargin: Duration = .seconds(1)
    /// A gap between ticks longer than this means the agent was paused.
    package var pauseThreshold: Duration = .seconds(1)
    /// How long a paused leader waits after it resumes before its controller acts on
    /// liveness again: a few gossip probe rounds.
    package var livenessSettle: Duration = .seconds(2)
    /// How long a client's write may wait for a leader to take it (an election, a leader
    /// that is unreachable) before it fails: a few election timeouts.
    package var proposalWait: Duration = .seconds(4)
    /// The leader's controller runs a pass at least this often, besides after every change
    /// (time alone decides some things: a lease that ran out, a pod ready for long enough).
    package var controllerInterval: Duration = .seconds(1)
    /// Snapshot the state machine and compact the log once this many entries were applied
    /// since the last snapshot (`--snapshot-entries`; etcd's `--snapshot-count` is 10,000
    /// in its older releases): the log holds at most this many entries plus those in flight.
    package var snapshotEntries: UInt64 = 10_000
    /// … or once the applied entries since the last snapshot carry this many bytes
    /// (`--snapshot-bytes`), so a few large writes do not grow the log for long.
    package var snapshotBytes: UInt64 = 64 << 20

    package init() {}

    /// - Throws: ``AgentCoreSettingsError`` naming the first setting out of range.
    package func validate() throws(AgentCoreSettingsError) {
        guard snapshotEntries >= 1 else { throw AgentCoreSettingsError(reason: "the snapshot entry threshold must be at least 1") }
        guard snapshotBytes >= 1 else { throw AgentCoreSettingsError(reason: "the snapshot byte threshold must be at least 1") }
        guard lease > .zero, leaseMargin >= .zero else { throw AgentCoreSettingsError(reason: "the lease must be positive and its margin not negative") }
        guard raftTick > .zero, reviewInterval > .zero else { throw AgentCoreSettingsError(reason: "the Raft tick and the review interval must be positive") }
        guard controllerInterval > .zero else { throw AgentCoreSettingsError(reason: "the controller interval must be positive") }
        guard proposalWait > .zero else { throw AgentCoreSettingsError(reason: "the proposal wait must be positive") }
        guard maxVoters >= 1 else { throw AgentCoreSettingsError(reason: "at least one voter is needed") }
    }
}

/// A setting of ``AgentCoreSettings`` out of range.
package struct AgentCoreSettingsError: Error, CustomStringConvertible {
    package var reason: String
    package var description: String { reason }
}

/// Gossip metadata keys the agent publishes about itself.
package enum MetadataKey {
    /// The agent's HTTP API address, where writes are forwarded.
    package static let api = "api"
    /// The `--bootstrap-expect` the agent was started with.
    package static let bootstrapExpect = "bootstrap-expect"
    /// `voter`, `learner` or `none`: whether the agent is in a Raft configuration yet.
    package static let raft = "raft"
    /// Where the agent keeps pod volumes; the leader writes it on the agent's Node.
    package static let volumes = "volumes"
    /// The newest log format the agent's build reads (a ``Storage/LogFormat`` number); absent
    /// from builds before versioned entries, which read format 1 only.
    package static let logFormat = "log-format"
    /// How many pods the agent takes (`--max-pods`).
    package static let maxPods = "max-pods"
    /// The size in bytes of the agent's volume pool, when it keeps one (`--volume-pool`).
    package static let volumePool = "volume-pool"
    /// Why the agent's container runtime is not ready; absent while it is.
    package static let runtimeProblem = "runtime"
    /// The longest runtime problem gossiped, in bytes: the message is cut, never the
    /// metadata dropped for size.
    package static let maxRuntimeProblemBytes = 120
}
