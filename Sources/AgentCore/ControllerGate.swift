import Basics
import Consensus

/// When the controller may run on this agent: the rule the agent runs and the controller
/// simulation checks, in one place.
///
/// Only the leader reconciles, and only once it has applied an entry of its own term: its
/// state then holds every entry a previous leader's pass could still commit ahead of its
/// own, so its passes follow the last one (the controller simulation found a pass on a
/// lagging state handing a taken pod CIDR to a new node). An agent that was paused (a
/// frozen process, a stalled machine) also waits ``AgentCoreSettings/livenessSettle`` after
/// it resumes, so it does not act on a view of liveness from before the pause.
package enum ControllerGate {
    /// - Parameter applied: the index the state the controller reads is applied through.
    package static func isOpen(raft: RaftNode, applied: UInt64) -> Bool {
        raft.role == .leader && raft.term(at: applied) == raft.term
    }
}

extension AgentNode {
    /// Whether this agent's controller may run a pass now (``ControllerGate``).
    package func mayRunController(now: Instant) -> Bool {
        guard ControllerGate.isOpen(raft: raft, applied: raft.appliedIndex) else { return false }
        return resumedAt.map { now - $0 >= settings.livenessSettle } ?? true
    }

    /// Notes a gap between ticks longer than ``AgentCoreSettings/pauseThreshold``: the
    /// process did not run, and its view of liveness is old.
    mutating func noticePause(now: Instant) {
        if let last = lastTick, now - last > settings.pauseThreshold { resumedAt = now }
        lastTick = now
    }
}
