import Foundation
import Testing
@testable import Runtime

@Suite struct ProcessTableTests {
    @Test(arguments: [
        // A command name with spaces and parentheses must not shift the fields.
        ("1234 (my (odd) name) S 77 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 300 1000000 512 18446744073709551615", 77, 300, 512),
        ("9 (sh) R 1 9 9 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 0 0 0", 1, 0, 0),
    ])
    func statLinesAreReadAfterTheCommandName(line: String, parent: Int32, ticks: UInt64, pages: UInt64) throws {
        let entry = try #require(ProcessTable.parse(stat: line, pageSize: 4096))
        #expect(entry.parent == parent)
        #expect(entry.cpuTicks == ticks)
        #expect(entry.residentBytes == pages * 4096)
    }

    @Test(arguments: ["", "1 (x", "1 (x) S", "1 (x) S a b c d e f g h i j k l m n o p q r s t u", "1 (x) S 1 2 3 4 5 6 7 8 9 10 18446744073709551615 18446744073709551615 0 0 0 0 0 0 0 0 -5"])
    func malformedOrExtremeLinesAreRefusedOrSaturated(line: String) {
        if let entry = ProcessTable.parse(stat: line, pageSize: 4096) {
            #expect(entry.cpuTicks == .max, "user + system time saturates instead of trapping")
            #expect(entry.residentBytes == 0, "a negative rss counts as none")
        }
    }

    @Test func aTreeHoldsItsRootAndEveryDescendantOnly() {
        let table = ProcessTable(entries: [
            10: .init(parent: 1, cpuTicks: 5, residentBytes: 100),
            11: .init(parent: 10, cpuTicks: 7, residentBytes: 200),
            12: .init(parent: 11, cpuTicks: 1, residentBytes: 300),
            13: .init(parent: 1, cpuTicks: 100, residentBytes: 1000),
        ])
        #expect(Set(table.tree(of: 10)) == [10, 11, 12])
        #expect(table.total(table.tree(of: 10)) == (13, 600))
        #expect(table.tree(of: 99).isEmpty)
    }

    @Test func thisProcessIsInTheTableWithItsMemory() throws {
        let table = ProcessTable.read()
        let me = try #require(table.entries[getpid()])
        #expect(me.residentBytes > 1 << 20)
        #expect(me.parent == getppid())
        #expect(ProcessTable.machineMemory().map { $0.total >= $0.available } == true)
        #expect(ProcessTable.machineTicks().map { $0.total >= $0.busy } == true)
    }
}
