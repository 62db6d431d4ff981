import Basics
import Consensus

/// Raft's safety properties (Raft Figure 3), checked against global records after every
/// simulated step. Each check only looks at what just changed, so checking stays cheap.
package struct RaftSimInvariants: Sendable {
    private struct EntryKey: Hashable, Sendable {
        var index: UInt64
        var term: UInt64
    }

    private struct EntryFacts: Hashable, Sendable {
        var code: UInt64
        var prevTerm: UInt64
    }

    /// Election Safety: the leader of each term.
    private var leaders: [UInt64: NodeID] = [:]
    /// Log Matching: what each (index, term) holds and what precedes it.
    private var entries: [EntryKey: EntryFacts] = [:]
    /// Committed terms by index, as nodes' commit indices reveal them.
    private var committed: [UInt64: UInt64] = [:]
    /// State Machine Safety: the entry applied at each index, and the hash chain after it.
    private var applied: [UInt64: EntryKey] = [:]
    private var chainAt: [UInt64: UInt64] = [:]
    package private(set) var violations: [String] = []

    package init() {}

    static func code(_ e: Raft.Entry) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(e.kind.rawValue)
        for byte in e.data {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }

    private mutating func fail(_ text: String) {
        if violations.count < 20 { violations.append(text) }
    }

    /// Election Safety (Raft §5.2): at most one leader per term.
    package mutating func observeLeader(_ id: NodeID, term: UInt64) {
        if let other = leaders[term], other != id {
            fail("two leaders in term \(term): \(other) and \(id)")
        }
        leaders[term] = id
    }

    /// Leader Completeness (Raft §5.4): a new leader holds every entry committed so far.
    package mutating func checkLeaderCompleteness(_ node: RaftNode) {
        for index in committed.keys.sorted() where index > node.snapshotIndex {
            let term = committed[index]
            guard node.term(at: index) == term else {
                fail("leader \(node.id) of term \(node.term) lacks committed \(index)/\(term ?? 0)")
                return
            }
        }
    }

    /// Log Matching (Raft §5.3): persisted entries with equal index and term are equal and
    /// follow equal predecessors, which by induction makes the logs identical up to there.
    package mutating func observePersisted(_ appended: [Raft.Entry], on node: NodeID, disk: MemoryRaftStorage) {
        for e in appended where e.index >= disk.firstIndex {
            let prevTerm = (try? disk.term(at: e.index - 1)) ?? UInt64.max
            let facts = EntryFacts(code: Self.code(e), prevTerm: prevTerm)
            let key = EntryKey(index: e.index, term: e.term)
            if let known = entries[key] {
                if known.code != facts.code {
                    fail("log matching: \(node) holds a different entry at \(e.index)/\(e.term)")
                } else if known.prevTerm != facts.prevTerm && prevTerm != .max && known.prevTerm != .max {
                    fail("log matching: \(node) has prev term \(prevTerm) before \(e.index)/\(e.term), others \(known.prevTerm)")
                }
            } else {
                entries[key] = facts
            }
        }
    }

    /// Commit indices only grow within one life, and committed entries never change.
    package mutating func observeCommit(_ node: RaftNode, previous: UInt64) {
        let commit = node.commitIndex
        if commit < previous { fail("\(node.id) commit went back from \(previous) to \(commit)") }
        guard commit > previous else { return }
        var index = max(previous + 1, node.firstIndex)
        while index <= commit {
            if let term = node.term(at: index) {
                if let known = committed[index], known != term {
                    fail("committed entry changed at \(index): term \(known) then \(term) on \(node.id)")
                }
                committed[index] = term
            }
            index += 1
        }
    }

    /// State Machine Safety (Raft §5.4.3): no two nodes apply different entries at an index.
    package mutating func observeApply(_ e: Raft.Entry, on node: NodeID, machine: RaftSimNode.Machine, before: UInt64) {
        if e.index != before + 1 { fail("\(node) applied \(e.index) after \(before)") }
        let code = EntryKey(index: Self.code(e), term: e.term)
        if let known = applied[e.index], known != code {
            fail("state machine safety: \(node) applied a different entry at \(e.index)")
        }
        applied[e.index] = code
        checkChain(index: machine.index, hash: machine.hash, on: node)
    }

    /// A state installed from a snapshot matches what others had at that index.
    package mutating func checkChain(index: UInt64, hash: UInt64, on node: NodeID) {
        if let known = chainAt[index], known != hash {
            fail("state machine safety: \(node) state at \(index) differs from others")
        }
        chainAt[index] = hash
    }

    /// The code of the entry applied at `index` (for acknowledged-proposal checks).
    package func appliedCode(at index: UInt64) -> UInt64? { applied[index]?.index }
}

extension RaftSimInvariants {
    package mutating func recordFailure(_ text: String) {
        if violations.count < 20 { violations.append(text) }
    }
}
