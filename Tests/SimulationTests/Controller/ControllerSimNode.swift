import AgentCore
import Basics
import ClusterState
import Consensus

/// A replica's materialised cluster state and the Raft index it reflects. The agent keeps
/// both in SQLite and writes them in one transaction, so after a crash they agree; here the
/// pair is part of the node's simulated disk.
struct ControllerSimStore: Equatable {
    var state = ClusterState()
    var index: UInt64 = 0
}

/// A client's write through a node (`.propose` with this id), awaited as the agent's
/// `submit` awaits it: it ends with the node's `proposalCommitted` or `proposalFailed`
/// effect, when the deadline passes, or with the node's life.
struct ControllerSimWrite: Equatable {
    var id: UInt64
    var deadline: UInt64
}

/// A pod process the simulated runtime runs for an identity on one node.
struct ControllerSimProcess: Equatable {
    var uid: String
    var epoch: UInt64
    /// Virtual time the process started (readiness may lag it).
    var started: UInt64
    /// Its supervisor's lease deadline, on the node's clock.
    var deadline: Instant
    /// Set once the agent asked it to stop; it holds its identity until then.
    var stoppingUntil: UInt64?
}

/// One simulated agent: the real ``AgentCore/AgentNode`` (volatile: gossip, Raft, leases,
/// forwarding, snapshots, the controller gate, when passes run), its disk (the Raft log and
/// the materialised state), clocks with drift and skew, and the processes of the pods
/// placed here.
struct ControllerSimNode {
    let id: NodeID
    let address: Endpoint
    /// How fast this node's clocks run against true time.
    let clockRate: Double
    /// Seconds this node's wall clock is ahead (or behind) of true time.
    let skew: Int64
    var agent: AgentNode?
    var disk: MemoryRaftStorage
    var store = ControllerSimStore()
    /// Bumped at every start, so events scheduled for an earlier life are ignored.
    var incarnation = 0
    /// The true time of the tick the node asked for last; earlier requests are stale.
    var tickAt: UInt64?
    var lastCommit: UInt64 = 0
    var leaderTermSeen: UInt64 = 0
    var observedRole = ""

    // Volatile shell state, lost at a crash.
    var processes: [ObjectKey: ControllerSimProcess] = [:]
    var nextProposal: UInt64 = 1

    var isUp: Bool { agent != nil }
    var raft: RaftNode? { agent?.raft }
    var name: String { id.name }

    /// The time stamped on this node's proposals, drifting and skewed: one-second
    /// precision, as `Timestamp` has.
    func wallClock(at now: UInt64) -> Timestamp {
        Timestamp(seconds: 1_800_000_000 + skew + Int64(Double(now) * clockRate / 1e9))
    }

    /// Forgets everything volatile, as a `kill -9` does: pod processes die with the agent.
    mutating func crash() {
        agent = nil
        tickAt = nil
        processes = [:]
    }
}
