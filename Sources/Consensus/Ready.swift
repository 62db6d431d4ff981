extension Raft {
    /// One batch of work for the shell. The fields are ordered by what the shell MUST do:
    ///
    /// 1. Persist `snapshotToInstall`, then `entriesToAppend` (truncating any conflicting
    ///    suffix), then `hardState` — durably (fsync), except that a hard state whose only
    ///    change is the commit index need not wait for the disk (``HardState/mustSync(over:)``).
    /// 2. Send `messagesAfterPersist` only after step 1: they promise durability (votes,
    ///    append acknowledgements, and a candidate's vote requests, which rest on its
    ///    persisted self-vote). `messagesNow` (the leader's appends, heartbeats, snapshots)
    ///    may go out before or during step 1 (thesis §10.2.1: the leader writes in parallel).
    /// 3. Apply `committedEntries` in order (after step 1), then serve `readStates` once
    ///    applied up to their index.
    /// 4. Call ``RaftNode/advance(_:)`` with this value.
    package struct Ready: Hashable, Sendable {
        /// `nil` when unchanged since the previous `Ready`.
        package var hardState: HardState?
        package var entriesToAppend: [Entry] = []
        /// A snapshot received from the leader; replaces the log and the application state.
        package var snapshotToInstall: Snapshot?
        package var messagesAfterPersist: [Message] = []
        package var messagesNow: [Message] = []
        package var committedEntries: [Entry] = []
        package var readStates: [ReadState] = []

        package init() {}

        /// Whether step 1 has anything to write.
        package var hasStateToPersist: Bool {
            hardState != nil || !entriesToAppend.isEmpty || snapshotToInstall != nil
        }

        package var isEmpty: Bool {
            hardState == nil && entriesToAppend.isEmpty && snapshotToInstall == nil
                && messagesAfterPersist.isEmpty && messagesNow.isEmpty
                && committedEntries.isEmpty && readStates.isEmpty
        }
    }
}
