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
            ("--dns-tcp-queries-per-second -5", { $0.tcpQueriesPerSecond = -5 }),
            ("--dns-tcp-queries-per-second 1000001", { $0.tcpQueriesPerSecond = 1_000_001 }),
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
