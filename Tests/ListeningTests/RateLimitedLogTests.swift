import Listening
import Testing

/// Issue 26: refusals are logged at most once per source a minute, and a flood from many
/// sources cannot grow the table that decides it.
@Suite struct RateLimitedLogTests {
    @Test func oneLinePerSourcePerIntervalAndABoundedTable() {
        let log = RateLimitedLog(interval: .seconds(60), maxSources: 2)
        let start = ContinuousClock.now
        #expect(log.shouldLog("a", now: start))
        #expect(!log.shouldLog("a", now: start + .seconds(59)))
        #expect(log.shouldLog("b", now: start + .seconds(1)))
        #expect(!log.shouldLog("c", now: start + .seconds(2)), "the table is full of recent sources")
        #expect(log.count == 2)
        #expect(log.shouldLog("a", now: start + .seconds(61)))
        #expect(log.shouldLog("c", now: start + .seconds(62)), "b expired")
        #expect(log.count == 2)
    }
}
