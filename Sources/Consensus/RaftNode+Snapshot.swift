extension RaftNode {
    /// Takes a snapshot at `index` with the application's state bytes as of that index and
    /// discards the log it covers (thesis §5.1). The shell MUST store the returned snapshot
    /// (``MemoryRaftStorage/compact(_:)``); peers that need the discarded entries will be
    /// sent it. The application may have captured its state a little while ago: any
    /// applied index newer than the held snapshot will do.
    /// - Returns: the snapshot, or `nil` if `index` is not applied, or not newer than the
    ///   held snapshot, or a snapshot from the leader is being installed.
    @discardableResult
    package mutating func compact(through index: UInt64, snapshotData: [UInt8]) -> Raft.Snapshot? {
        guard index <= log.applied, index > log.snapshot.index, !log.snapshotIsPending, let term = log.term(at: index) else { return nil }
        let snapshot = Raft.Snapshot(
            metadata: Raft.SnapshotMetadata(index: index, term: term, confState: conf),
            data: snapshotData
        )
        log.compact(snapshot)
        return snapshot
    }

    /// The latest snapshot this node holds.
    package var latestSnapshot: Raft.Snapshot { log.snapshot }

    /// InstallSnapshot receiver (thesis §5.1, Figure 5.3): a snapshot at or below the commit
    /// index is stale; one whose last entry we already hold only moves the commit index;
    /// otherwise it replaces the log and the configuration.
    mutating func handleSnapshot(_ m: Raft.Message, _ snapshot: Raft.Snapshot) {
        let index = snapshot.index
        if index <= log.committed {
            send(.appendResponse(Raft.Message.AppendResponse(index: log.committed)), to: m.from)
            return
        }
        if log.matchTerm(index, snapshot.term) {
            log.commitTo(index)
        } else {
            log.restore(snapshot)
            conf = snapshot.metadata.confState
        }
        send(.appendResponse(Raft.Message.AppendResponse(index: index)), to: m.from)
    }

    /// Gives up on snapshots that were not acknowledged within an election timeout (lost in
    /// the network), so the follower is probed and sent a fresh one.
    mutating func tickSnapshotTimeouts() {
        for peer in peers where progress[peer]?.state == .snapshot {
            progress[peer]?.snapshotTicks += 1
            if let ticks = progress[peer]?.snapshotTicks, ticks >= settings.electionTicks {
                progress[peer]?.becomeProbe()
            }
        }
    }
}
