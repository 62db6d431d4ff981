import Basics
import Consensus

extension AgentNode {
    /// Asks the shell for the state machine's bytes once enough was applied since the last
    /// snapshot (``AgentCoreSettings/snapshotEntries`` or ``AgentCoreSettings/snapshotBytes``),
    /// so the log in memory and on disk stays bounded (Raft thesis §5.1). One request at a
    /// time, and never twice at the same applied index: a capture that could not be used
    /// waits for more entries before the next.
    /// - Precondition: called after this round's `.apply` effects, which the capture covers.
    mutating func considerSnapshot(into effects: inout [AgentEffect]) {
        let applied = raft.appliedIndex
        guard !snapshotAsked, applied > lastSnapshotAttempt, applied > raft.snapshotIndex else { return }
        let entries = applied - raft.snapshotIndex
        guard entries >= settings.snapshotEntries || bytesSinceSnapshot >= settings.snapshotBytes else { return }
        snapshotAsked = true
        lastSnapshotAttempt = applied
        effects.append(.takeSnapshot)
    }

    /// Turns the captured state into a snapshot and compacts the log through it.
    mutating func compact(through index: UInt64, data: [UInt8], into effects: inout [AgentEffect]) {
        snapshotAsked = false
        guard let snapshot = raft.compact(through: index, snapshotData: data) else { return }
        bytesSinceSnapshot = 0
        forgetForwarded(through: snapshot.index)
        effects.append(.compact(snapshot))
    }

    /// Counts what the log grew by since the last snapshot.
    mutating func countApplied(_ entries: [Raft.Entry]) {
        for entry in entries {
            let (sum, overflow) = bytesSinceSnapshot.addingReportingOverflow(UInt64(entry.data.count))
            bytesSinceSnapshot = overflow ? .max : sum
        }
    }
}
