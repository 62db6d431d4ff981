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
}
