import Consensus
import Testing
@testable import AgentCore

/// Committed entries already on disk are applied before this round's persist; entries that
/// arrive in this round, or a snapshot being installed, make the apply wait for it.
@Suite struct ApplyOrderTests {
    private static func entries(_ indices: ClosedRange<UInt64>) -> [Raft.Entry] {
        indices.map { Raft.Entry(term: 1, index: $0, kind: .normal, data: []) }
    }

    private static func ready(committed: ClosedRange<UInt64>?, appending: ClosedRange<UInt64>?, snapshot: Bool = false) -> Raft.Ready {
        var ready = Raft.Ready()
        ready.committedEntries = committed.map(entries) ?? []
        ready.entriesToAppend = appending.map(entries) ?? []
        if snapshot { ready.snapshotToInstall = Raft.Snapshot(metadata: .init(index: 3, term: 1)) }
        return ready
    }

    @Test(arguments: [
        (ready(committed: 1 ... 4, appending: nil), true),           // leader: nothing new to persist
        (ready(committed: 1 ... 4, appending: 5 ... 6), true),       // new entries come after
        (ready(committed: 3 ... 5, appending: 5 ... 6), false),      // 5 arrives in this round
        (ready(committed: 6 ... 6, appending: 4 ... 7), false),      // a rewritten suffix holds it
        (ready(committed: nil, appending: 1 ... 2), false),          // nothing to apply
        (ready(committed: 4 ... 5, appending: nil, snapshot: true), false),
    ])
    func onlyEntriesAlreadyOnDiskGoFirst(ready: Raft.Ready, first: Bool) {
        #expect(AgentNode.mayApplyBeforePersist(ready) == first)
    }
}
