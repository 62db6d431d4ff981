extension RaftNode {
    /// Whether ``ready()`` has anything to hand out.
    package var hasReady: Bool {
        hardState != lastReadyHardState || log.snapshotIsPending || log.stableIndex < log.lastIndex
            || !outboxNow.isEmpty || !outboxAfterPersist.isEmpty || log.hasCommittedToHandOut
            || !readStates.isEmpty
    }

    /// Takes the next batch of work. The shell MUST carry it out as ``Raft/Ready`` describes
    /// and call ``advance(_:)`` before calling `ready()` again.
    package mutating func ready() -> Raft.Ready {
        var ready = Raft.Ready()
        let hs = hardState
        if hs != lastReadyHardState {
            ready.hardState = hs
            lastReadyHardState = hs
        }
        if log.snapshotIsPending { ready.snapshotToInstall = log.snapshot }
        ready.entriesToAppend = log.unstableEntries
        ready.committedEntries = log.takeCommittedEntries()
        ready.messagesNow = outboxNow
        ready.messagesAfterPersist = outboxAfterPersist
        ready.readStates = readStates
        outboxNow = []
        outboxAfterPersist = []
        readStates = []
        return ready
    }

    /// Confirms that `ready` was persisted and applied: the leader counts its own persisted
    /// entries towards commitment (never before; thesis §10.2.1), and applied configuration
    /// changes take effect.
    package mutating func advance(_ ready: Raft.Ready) {
        if let snapshot = ready.snapshotToInstall {
            log.snapshotPersisted(index: snapshot.index)
        }
        if let last = ready.entriesToAppend.last {
            log.stableTo(index: last.index, term: last.term)
            if role == .leader, log.stableIndex > (progress[id]?.match ?? 0) {
                progress[id]?.match = log.stableIndex
                if maybeCommit() { broadcastAppend() }
            }
        }
        if let last = ready.committedEntries.last {
            log.appliedTo(last.index)
            for entry in ready.committedEntries where entry.kind == .confChange {
                applyConfChange(entry)
            }
        }
    }
}
