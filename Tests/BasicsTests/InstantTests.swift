import Testing
@testable import Basics

@Suite struct InstantTests {
    @Test func addsAndSubtractsDurations() {
        let start = Instant(nanoseconds: 1_000_000_000)
        #expect(start + .milliseconds(250) == Instant(nanoseconds: 1_250_000_000))
        #expect(start + .milliseconds(-250) == Instant(nanoseconds: 750_000_000))
        #expect((start + .seconds(2)) - start == .seconds(2))
        #expect(start - (start + .seconds(2)) == .seconds(-2))
    }

    @Test func saturatesInsteadOfTrapping() {
        #expect(Instant.zero + .seconds(-5) == .zero)
        #expect(Instant(nanoseconds: .max - 1) + .seconds(1) == Instant(nanoseconds: .max))
    }

    @Test(arguments: [
        (UInt64(0), "0.000s"), (1_250_000_000, "1.250s"), (12_005_000_000, "12.005s"), (99_000_000, "0.099s"),
    ])
    func formatsLikeTraces(nanoseconds: UInt64, text: String) {
        #expect(Instant(nanoseconds: nanoseconds).description == text)
    }

    @Test func durationHelpers() {
        #expect(Duration.milliseconds(1500).nanoseconds == 1_500_000_000)
        #expect(Duration.milliseconds(-3).nanoseconds == -3_000_000)
        #expect(Duration.seconds(2).scaled(by: 1.5) == .milliseconds(3000))
        #expect(Duration.milliseconds(500).seconds == 0.5)
    }
}
