extension Raft {
    /// Where a snapshot sits in the log and the configuration in force at that point
    /// (thesis §5.1: the snapshot replaces the prefix, so it must carry what the prefix said).
    package struct SnapshotMetadata: Hashable, Sendable {
        package var index: UInt64
        package var term: UInt64
        package var confState: ConfState

        package init(index: UInt64 = 0, term: UInt64 = 0, confState: ConfState = ConfState()) {
            self.index = index
            self.term = term
            self.confState = confState
        }
    }

    /// The application's state after applying every entry up to `metadata.index`.
    package struct Snapshot: Hashable, Sendable {
        package var metadata: SnapshotMetadata
        package var data: [UInt8]

        package init(metadata: SnapshotMetadata = SnapshotMetadata(), data: [UInt8] = []) {
            self.metadata = metadata
            self.data = data
        }

        package var index: UInt64 { metadata.index }
        package var term: UInt64 { metadata.term }
    }
}
