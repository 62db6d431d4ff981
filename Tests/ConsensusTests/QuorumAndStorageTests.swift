import Basics
import Testing
@testable import Consensus

/// Quorum math quickchecked against naive oracles (as etcd's quorum tests do).
@Suite struct QuorumTests {
    static func oracleCommitted(_ matches: [UInt64]) -> UInt64 {
        guard !matches.isEmpty else { return 0 }
        let candidates = Set(matches + [0]).sorted(by: >)
        return candidates.first { c in matches.filter { $0 >= c }.count * 2 > matches.count } ?? 0
    }

    static func oracleVote(_ votes: [Bool?]) -> Raft.VoteResult {
        guard !votes.isEmpty else { return .lost }
        let yes = votes.filter { $0 == true }.count
        let undecided = votes.filter { $0 == nil }.count
        if yes * 2 > votes.count { return .won }
        return (yes + undecided) * 2 > votes.count ? .pending : .lost
    }

    @Test(arguments: 0 ..< 8)
    func committedIndexMatchesOracle(batch: Int) {
        var rng = SplitMix64(seed: UInt64(batch))
        for _ in 0 ..< 200 {
            let n = Int.random(in: 0 ... 7, using: &rng)
            let voters = (0 ..< n).map { NodeID("v\($0)") }
            let matches = voters.map { _ in UInt64.random(in: 0 ... 10, using: &rng) }
            let table = Dictionary(uniqueKeysWithValues: zip(voters, matches))
            #expect(Raft.Majority.committedIndex(voters: voters) { table[$0]! } == Self.oracleCommitted(matches))
        }
    }

    @Test(arguments: 0 ..< 8)
    func voteResultMatchesOracle(batch: Int) {
        var rng = SplitMix64(seed: 100 + UInt64(batch))
        for _ in 0 ..< 200 {
            let n = Int.random(in: 0 ... 7, using: &rng)
            let voters = (0 ..< n).map { NodeID("v\($0)") }
            let votes: [Bool?] = voters.map { _ in [true, false, nil][Int.random(in: 0 ..< 3, using: &rng)] }
            var table: [NodeID: Bool] = [:]
            for (v, vote) in zip(voters, votes) { table[v] = vote }
            table[NodeID("learner")] = true  // never counted
            #expect(Raft.Majority.voteResult(voters: voters, votes: table) == Self.oracleVote(votes))
        }
    }

    @Test(arguments: [(1, 1), (2, 2), (3, 2), (4, 3), (5, 3), (7, 4)])
    func quorumSize(n: Int, q: Int) {
        #expect(Raft.Majority.quorum(of: n) == q)
    }
}

/// The ``RaftStorage`` contract on ``MemoryRaftStorage``.
@Suite struct MemoryRaftStorageTests {
    static func stored(_ terms: [UInt64]) -> MemoryRaftStorage {
        var s = MemoryRaftStorage()
        try! s.append(Fixture.entries(terms, from: 1))
        return s
    }

    @Test func emptyStorage() throws {
        let s = MemoryRaftStorage()
        #expect(s.firstIndex == 1)
        #expect(s.lastIndex == 0)
        #expect(try s.term(at: 0) == 0)
        #expect(try s.entries(in: 1 ..< 1) == [])
    }

    @Test(arguments: [
        // (append terms, from index, resulting terms)
        ([UInt64(3)], UInt64(4), [UInt64(1), 2, 2, 3]),
        ([3, 3], 2, [1, 3, 3]),
        ([2], 3, [1, 2, 2]),
        ([5, 5, 5], 1, [5, 5, 5]),
    ] as [([UInt64], UInt64, [UInt64])])
    func appendTruncatesConflictingSuffix(terms: [UInt64], from: UInt64, result: [UInt64]) throws {
        var s = Self.stored([1, 2, 2])
        try s.append(Fixture.entries(terms, from: from))
        #expect(try s.entries(in: 1 ..< s.lastIndex + 1).map(\.term) == result)
    }

    @Test func appendWithGapThrows() {
        var s = Self.stored([1])
        #expect(throws: Raft.StorageError.gap(expected: 2, got: 3)) { try s.append(Fixture.entries([1], from: 3)) }
    }

    @Test func rangeErrors() {
        let s = Self.stored([1, 1, 1])
        #expect(throws: Raft.StorageError.unavailable(4)) { try s.entries(in: 2 ..< 5) }
        #expect(throws: Raft.StorageError.unavailable(7)) { try s.term(at: 7) }
    }

    @Test func compactKeepsTermOfSnapshotAndLaterEntries() throws {
        var s = Self.stored([1, 2, 3, 4])
        let snap = Raft.Snapshot(metadata: .init(index: 2, term: 2, confState: .init(voters: [Fixture.n1])), data: [1])
        try s.compact(snap)
        #expect(s.firstIndex == 3)
        #expect(s.lastIndex == 4)
        #expect(try s.term(at: 2) == 2)
        #expect(throws: Raft.StorageError.compacted(1)) { try s.term(at: 1) }
        #expect(throws: Raft.StorageError.compacted(2)) { try s.entries(in: 2 ..< 4) }
        #expect(s.initialState().confState.voters == [Fixture.n1])
        #expect(throws: Raft.StorageError.snapshotOutOfDate(1)) { try s.compact(Raft.Snapshot(metadata: .init(index: 1, term: 1))) }
    }

    @Test func applySnapshotReplacesLog() throws {
        var s = Self.stored([1, 2])
        try s.applySnapshot(Raft.Snapshot(metadata: .init(index: 10, term: 3), data: [9]))
        #expect(s.firstIndex == 11)
        #expect(s.lastIndex == 10)
        #expect(try s.term(at: 10) == 3)
        #expect(throws: Raft.StorageError.snapshotOutOfDate(5)) { try s.applySnapshot(Raft.Snapshot(metadata: .init(index: 5, term: 3))) }
    }

    @Test func hardStateRoundTrips() {
        var s = MemoryRaftStorage()
        s.setHardState(Raft.HardState(term: 4, vote: Fixture.n2, commit: 0))
        #expect(s.initialState().hardState == Raft.HardState(term: 4, vote: Fixture.n2, commit: 0))
    }

    @Test(arguments: ["heartbeatTicks", "electionTicks", "maxInflightMessages", "maxEntriesPerAppend"])
    func settingsValidation(field: String) {
        var s = Raft.Settings()
        #expect(throws: Never.self) { try s.validate() }
        switch field {
        case "heartbeatTicks": s.heartbeatTicks = 0
        case "electionTicks": s.electionTicks = 1
        case "maxInflightMessages": s.maxInflightMessages = 0
        default: s.maxEntriesPerAppend = 0
        }
        #expect(throws: Raft.Settings.ValidationError.self) { try s.validate() }
        #expect((try? s.validate()) == nil)
        do {
            try s.validate()
        } catch {
            #expect(error.field == field)
        }
    }
}

@Suite struct AppendSizeTests {
    /// etcd's MaxSizePerMsg: an append carries entries up to the byte cap, but always one.
    @Test(arguments: [(1_000_000, 1), (1_300_000, 2), (10_000_000, 4), (100, 1)])
    func appendsStopAtTheByteCap(maxBytes: Int, expected: Int) throws {
        let entries = (1 ... 4).map { Raft.Entry(term: 1, index: UInt64($0), data: [UInt8](repeating: 7, count: 600_000)) }
        let log = RaftLog(snapshot: Raft.Snapshot(), entries: entries, committed: 0)
        let batch = try #require(log.entries(from: 1, maxCount: 64, maxBytes: maxBytes))
        #expect(batch.count == expected)
        #expect(batch.first?.index == 1)
    }
}
