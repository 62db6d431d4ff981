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

/// A write this node submitted and is waiting on, as the agent's `submit` awaits it: it ends
/// when this node has applied the entry's index (ours, or another leader's entry that took
/// the index), or when the deadline passes, or with the node's life.
struct ControllerSimWrite: Equatable {
    var index: UInt64
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

/// One simulated agent: a Raft node (volatile), its disk (the Raft log and the materialised
/// state), a wall clock with skew, and the agent's volatile loops: the controller (when
/// leader), the pod reporter, and the processes of the pods placed here.
struct ControllerSimNode {
    let id: NodeID
    /// Nanoseconds between this node's Raft ticks: its clock rate, drift included.
    let tickPeriod: UInt64
    /// How fast this node's clocks run against true time (the same drift as its ticks).
    let clockRate: Double
    /// Seconds this node's wall clock is ahead (or behind) of true time.
    let skew: Int64
    var raft: RaftNode?
    var disk: MemoryRaftStorage
    var store = ControllerSimStore()
    /// Bumped at every crash, so events scheduled for an earlier life are ignored.
    var incarnation = 0
    var readyScheduled = false
    var lastCommit: UInt64 = 0
    var leaderTermSeen: UInt64 = 0
    var observedRole = ""

    // Volatile agent state, lost at a crash.
    var controllerPass: ControllerSimWrite?
    var report: ControllerSimWrite?
    var processes: [ObjectKey: ControllerSimProcess] = [:]
    var lease: LeaseHolder
    var book: LeaseBook

    var isUp: Bool { raft != nil }
    var name: String { id.name }

    /// The time stamped on this node's proposals, drifting and skewed: one-second
    /// precision, as `Timestamp` has.
    func wallClock(at now: UInt64) -> Timestamp {
        Timestamp(seconds: 1_800_000_000 + skew + Int64(Double(now) * clockRate / 1e9))
    }

    /// Forgets everything volatile, as a `kill -9` does: pod processes die with the agent.
    mutating func crash() {
        raft = nil
        readyScheduled = false
        controllerPass = nil
        report = nil
        processes = [:]
        lease = LeaseHolder(duration: lease.duration)
        book = LeaseBook(lease: book.lease, margin: book.margin)
    }
}
