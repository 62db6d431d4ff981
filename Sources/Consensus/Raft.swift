/// Raft consensus as a pure state machine: ``RaftNode`` takes ticks, messages and proposals
/// and hands back ``Raft/Ready`` batches that say what to persist, what to send and what to
/// apply. It has no clock, no disk, no sockets and no randomness of its own (the election
/// timeout jitter comes from a seeded ``Basics/SplitMix64`` it holds), so a whole cluster can
/// be replayed from one seed. The shape follows etcd-io/raft's `RawNode` (our own code).
///
/// What is implemented, with the sources it follows:
/// - Leader election, log replication and commitment (Ongaro & Ousterhout, "In Search of an
///   Understandable Consensus Algorithm", USENIX ATC 2014, Figure 2 and §5). A new leader
///   appends a no-op entry of its own term, since only entries of the current term commit by
///   counting replicas (Raft §5.4.2).
/// - PreVote (Ongaro's thesis §9.6): a would-be candidate first asks whether it could win,
///   without raising its term, so a partitioned node that rejoins does not depose a healthy
///   leader.
/// - CheckQuorum (thesis §6.2): a leader that has not heard from a quorum of voters within an
///   election timeout steps down. With it, a voter that heard from a leader within the
///   minimum election timeout ignores (pre-)vote requests — leader stickiness (thesis §4.2.3).
/// - Learners (non-voting members, thesis §4.2.1): they receive the whole log, never
///   campaign and are never counted for a quorum.
/// - Leadership transfer (thesis §3.10): the leader brings the target up to date, then sends
///   `TimeoutNow`; the target campaigns at once, and its requests override stickiness.
/// - Single-server membership changes (thesis §4.1) through `.confChange` entries. As in
///   etcd, a configuration takes effect when its entry is *applied*, and the leader accepts
///   a new change only once the previous one is applied; together with the no-op rule above
///   this avoids the single-server-change bug Ongaro described on raft-dev in 2015.
/// - ReadIndex (thesis §6.4): a linearizable read records the commit index and completes
///   once a heartbeat round confirms that a quorum still follows this leader.
/// - Log compaction with snapshots (thesis §5): the application compacts at its applied
///   index with its state bytes; a follower that needs compacted entries gets the snapshot.
///
/// Deviations and limits: no joint consensus (§4.3); reads are ReadIndex only (no lease
/// reads, which depend on bounded clock drift); only the leader serves `readIndex` (followers
/// report `.notLeader` rather than forwarding); the node keeps the log after its latest
/// snapshot in memory and reads storage only when it starts.
///
/// Contract with the shell for every ``Raft/Ready``: persist `snapshotToInstall`,
/// `entriesToAppend` and `hardState` (durably) before sending `messagesAfterPersist`;
/// `messagesNow` may be sent at any time; apply `committedEntries` after persisting; then call
/// ``RaftNode/advance(_:)`` before asking for the next `Ready`.
package enum Raft {}
