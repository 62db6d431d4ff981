import Basics
import Synchronization

/// Callers waiting for their proposals to commit, by proposal id. Each waiter is resumed
/// exactly once: by the commit, by a failure, or by its deadline, whichever comes first.
///
/// Deadlines are swept by one periodic ``expire(now:)`` rather than a timer per proposal:
/// arming a timer from the caller's thread woke an event loop on every write.
final class ProposalBook: Sendable {
    private struct Waiter {
        let continuation: CheckedContinuation<ProposalOutcome, Never>
        let deadline: Instant
        let opened = ContinuousClock.now
    }

    private let state = Mutex<(next: UInt64, waiting: [UInt64: Waiter])>((1, [:]))

    /// Registers a waiter that ``expire(now:)`` fails once `deadline` passed; returns its id.
    func open(_ continuation: CheckedContinuation<ProposalOutcome, Never>, deadline: Instant) -> UInt64 {
        state.withLock { state in
            let id = state.next
            state.next += 1
            state.waiting[id] = Waiter(continuation: continuation, deadline: deadline)
            return id
        }
    }

    /// Resumes the waiter for `id`, if it is still waiting.
    /// - Returns: how long it waited, when it was.
    @discardableResult
    func close(_ id: UInt64, with outcome: ProposalOutcome) -> Duration? {
        guard let waiter = state.withLock({ $0.waiting.removeValue(forKey: id) }) else { return nil }
        waiter.continuation.resume(returning: outcome)
        return ContinuousClock.now - waiter.opened
    }

    /// Fails every waiter whose deadline is at or before `now`.
    func expire(now: Instant, reason: String) {
        let expired = state.withLock { state -> [Waiter] in
            let ids = state.waiting.compactMap { $0.value.deadline <= now ? $0.key : nil }
            return ids.compactMap { state.waiting.removeValue(forKey: $0) }
        }
        for waiter in expired { waiter.continuation.resume(returning: .failed(reason: reason)) }
    }

    /// Resumes every waiter, when the agent stops.
    func closeAll(with outcome: ProposalOutcome) {
        let all = state.withLock { state in
            let all = state.waiting
            state.waiting = [:]
            return all
        }
        for waiter in all.values { waiter.continuation.resume(returning: outcome) }
    }
}

/// How a proposal ended, as the write path needs to know it.
enum ProposalOutcome: Sendable, Hashable {
    /// Committed, and applied on this agent.
    case committed(index: UInt64)
    case failed(reason: String)
}
