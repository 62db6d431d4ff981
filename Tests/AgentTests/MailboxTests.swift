import Foundation
import Testing
@testable import Agent

/// The mailbox bounds what waits in it by count and by bytes, and frees both when the
/// driver takes the batch.
@Suite struct MailboxTests {
    @Test func itemsPastTheByteBoundAreDroppedUntilTheBatchIsTaken() {
        let mailbox = Mailbox<[UInt8]>(capacity: 100, maxBytes: 1_000) { $0.count }
        #expect(mailbox.post([UInt8](repeating: 1, count: 400)))
        #expect(mailbox.post([UInt8](repeating: 2, count: 400)))
        #expect(!mailbox.post([UInt8](repeating: 3, count: 400)), "1,200 bytes would exceed 1,000")
        #expect(mailbox.post([UInt8](repeating: 4, count: 200)), "exactly at the bound")
        #expect(mailbox.takeAll().map(\.first) == [1, 2, 4])
        #expect(mailbox.post([UInt8](repeating: 5, count: 900)))
    }

    @Test func itemsPastTheCountAreDropped() {
        let mailbox = Mailbox<Int>(capacity: 3)
        #expect(mailbox.post(contentsOf: [1, 2, 3, 4, 5]) == 3)
        #expect(mailbox.takeAll() == [1, 2, 3])
    }

    @Test func aWaitEndsWhenSomethingIsPosted_andPostsBeforeItCountOnce() async {
        let mailbox = Mailbox<Int>()
        #expect(mailbox.post(contentsOf: [1, 2]) == 2)
        #expect(mailbox.post(3))
        #expect(mailbox.wait(), "posts before the wait wake it")
        #expect(mailbox.takeAll() == [1, 2, 3])
        // A post from another thread wakes a consumer blocked in wait().
        let woke = await withCheckedContinuation { (continuation: CheckedContinuation<[Int], Never>) in
            let consumer = Thread {
                _ = mailbox.wait()
                continuation.resume(returning: mailbox.takeAll())
            }
            consumer.start()
            Thread.sleep(forTimeInterval: 0.05)
            mailbox.post(4)
        }
        #expect(woke == [4])
    }

    @Test func finishing_endsTheWaitsOnceWhatIsLeftIsTaken() {
        let mailbox = Mailbox<Int>()
        mailbox.post(7)
        mailbox.finish()
        #expect(mailbox.wait(), "what was posted before the finish is still handed over")
        #expect(mailbox.takeAll() == [7])
        #expect(!mailbox.wait())
        #expect(!mailbox.wait(), "a finished mailbox never blocks again")
    }
}
