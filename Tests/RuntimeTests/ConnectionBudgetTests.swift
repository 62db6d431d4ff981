import Basics
@testable import CRI
import Testing

/// Calls spread over connections, none past its budget in any window, and a wait named when
/// all are spent.
@Suite struct ConnectionBudgetTests {
    static func at(_ seconds: Int64) -> Instant { Instant.zero + .seconds(seconds) }

    @Test func callsGoToTheConnectionWithTheMostRoom() {
        var budget = ConnectionBudget(connections: 3, window: .seconds(30), perWindow: 2)
        #expect((0 ..< 6).map { _ in budget.take(now: Self.at(0)) } == [0, 1, 2, 0, 1, 2])
        #expect(budget.take(now: Self.at(1)) == nil, "every connection spent its budget")
        #expect(budget.roomAt == Self.at(30))
        #expect(budget.take(now: Self.at(29)) == nil)
        #expect(budget.take(now: Self.at(30)) == 0, "the window's oldest calls aged out")
    }

    @Test func aCallOutsideTheWindowNoLongerCounts() {
        var budget = ConnectionBudget(connections: 1, window: .seconds(10), perWindow: 1)
        #expect(budget.take(now: Self.at(0)) == 0)
        #expect(budget.take(now: Self.at(9)) == nil)
        #expect(budget.take(now: Self.at(10)) == 0)
        #expect(budget.roomAt == Self.at(20))
    }
}
