@testable import DNSServer
import Testing

@Suite struct DNSServerSettingsTests {
    @Test func theDefaultsAreValid() throws {
        try DNSServerSettings().validate()
    }

    @Test func outOfRangeBoundsAreRefusedWithTheirName() {
        let cases: [(String, (inout DNSServerSettings) -> Void)] = [
            ("--dns-max-connections 0", { $0.maxConnections = 0 }),
            ("--dns-max-connections-per-source 129", { $0.maxConnectionsPerSource = 129 }),
            ("--dns-rate-limit -1", { $0.rateLimit = -1 }),
            ("pending answer bytes", { $0.maxPendingAnswerBytes = 1_000 }),
            ("slip 11", { $0.slip = 11 }),
            ("message deadline", { $0.messageDeadline = .zero }),
        ]
        for (message, change) in cases {
            var settings = DNSServerSettings()
            change(&settings)
            do {
                try settings.validate()
                Issue.record("\(message): accepted")
            } catch {
                #expect(error.description.contains(message), "\(error)")
            }
        }
    }
}

@Suite struct RefusalLogTests {
    @Test func oneLinePerSourcePerIntervalAndABoundedTable() {
        let log = RefusalLog(interval: .seconds(60), capacity: 2)
        let start = ContinuousClock.now
        #expect(log.shouldLog(source: "a", now: start))
        #expect(!log.shouldLog(source: "a", now: start + .seconds(59)))
        #expect(log.shouldLog(source: "b", now: start + .seconds(1)))
        #expect(!log.shouldLog(source: "c", now: start + .seconds(2)), "the table is full of recent sources")
        #expect(log.count == 2)
        #expect(log.shouldLog(source: "a", now: start + .seconds(61)))
        #expect(log.shouldLog(source: "c", now: start + .seconds(62)), "b expired")
        #expect(log.count == 2)
    }
}
