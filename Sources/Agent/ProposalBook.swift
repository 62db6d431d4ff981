import Synchronization

/// Callers waiting for their proposals to commit, by proposal id. Each waiter is resumed
/// exactly once: by the commit, by a failure, or by its timeout, whichever comes first.
final class ProposalBook: Sendable {
    private let state = Mutex<(next: UInt64, waiting: [UInt64: CheckedContinuation<ProposalOutcome, Never>])>((1, [:]))

    /// Registers a waiter and returns its id.
    func open(_ continuation: CheckedContinuation<ProposalOutcome, Never>) -> UInt64 {
        state.withLock { state in
            let id = state.next
            state.next += 1
            state.waiting[id] = continuation
            return id
        }
    }

    /// Resumes the waiter for `id`, if it is still waiting.
    func close(_ id: UInt64, with outcome: ProposalOutcome) {
        let continuation = state.withLock { $0.waiting.removeValue(forKey: id) }
        continuation?.resume(returning: outcome)
    }

    /// Resumes every waiter, when the agent stops.
    func closeAll(with outcome: ProposalOutcome) {
        let all = state.withLock { state in
            let all = state.waiting
            state.waiting = [:]
            return all
        }
        for continuation in all.values { continuation.resume(returning: outcome) }
    }
}

/// How a proposal ended, as the write path needs to know it.
enum ProposalOutcome: Sendable, Hashable {
    case committed(index: UInt64)
    /// This agent is not the leader; the leader's API address when gossip knows it.
    case notLeader(leaderAPI: String?)
    case failed(reason: String)
}
