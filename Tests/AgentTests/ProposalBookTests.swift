import Basics
import Synchronization
import Testing
@testable import Agent

/// Every waiter is resumed exactly once: by its commit, or by the sweep once its deadline passed.
@Suite struct ProposalBookTests {
    /// The ids the book handed out, filled in from the continuations' closures.
    final class Opened: Sendable {
        let ids = Mutex<[UInt64]>([])
    }

    @Test func theSweepFailsOnlyWaitersPastTheirDeadline() async {
        let book = ProposalBook()
        let start = Instant(nanoseconds: 1_000_000_000)
        let opened = Opened()
        async let early = withCheckedContinuation { continuation in
            opened.ids.withLock { $0.append(book.open(continuation, deadline: start + .seconds(1))) }
        }
        async let late = withCheckedContinuation { continuation in
            opened.ids.withLock { $0.append(book.open(continuation, deadline: start + .seconds(10))) }
        }
        while opened.ids.withLock({ $0.count }) < 2 { await Task.yield() }
        book.expire(now: start + .seconds(2), reason: "too slow")
        #expect(await early == .failed(reason: "too slow"))
        for id in opened.ids.withLock({ $0 }) { book.close(id, with: .committed(index: 7)) }  // the expired id is gone
        #expect(await late == .committed(index: 7))
    }

    @Test func aWaiterClosedBeforeItsDeadlineIsNotExpiredLater() async {
        let book = ProposalBook()
        let start = Instant(nanoseconds: 1_000_000_000)
        let outcome = await withCheckedContinuation { continuation in
            let id = book.open(continuation, deadline: start + .seconds(1))
            book.close(id, with: .failed(reason: "refused"))
            book.expire(now: start + .seconds(5), reason: "too slow")  // must not resume it again
        }
        #expect(outcome == .failed(reason: "refused"))
    }
}
