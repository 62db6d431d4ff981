import ClusterState
import Testing

@Suite struct TimestampTests {
    @Test(arguments: [
        (0, "1970-01-01T00:00:00Z"),
        (1_795_255_445, "2026-11-21T10:04:05Z"),
        (1_709_208_000, "2024-02-29T12:00:00Z"),
        (951_782_400, "2000-02-29T00:00:00Z"),
        (4_107_542_400, "2100-03-01T00:00:00Z"),
        (-1, "1969-12-31T23:59:59Z"),
        (-86_400, "1969-12-31T00:00:00Z"),
        (-14_182_940, "1969-07-20T20:17:40Z"),
        (-2_203_891_201, "1900-02-28T23:59:59Z"),
        (-2_203_891_200, "1900-03-01T00:00:00Z"),
        (-11_676_096_000, "1600-01-01T00:00:00Z"),
    ] as [(Int64, String)])
    func formatsRFC3339_andParsesBack(_ seconds: Int64, _ text: String) {
        #expect(Timestamp(seconds: seconds).description == text)
        #expect(Timestamp(rfc3339: text) == Timestamp(seconds: seconds))
    }

    @Test(arguments: [
        ("2026-11-21T12:04:05+02:00", 1_795_255_445),
        ("2026-11-21T04:34:05-05:30", 1_795_255_445),
        ("2026-11-21T10:04:05.123456789Z", 1_795_255_445),
        ("2026-11-21t10:04:05z", 1_795_255_445),
        ("2026-11-21T10:04:05.5+00:00", 1_795_255_445),
        ("1969-12-31T23:59:59.999Z", -1),
        ("2024-02-29T23:30:00-01:00", 1_709_253_000),
        ("2024-03-01T00:30:00+01:00", 1_709_249_400),
    ] as [(String, Int64)])
    func parsesOffsetsAndFractions(_ text: String, _ seconds: Int64) {
        #expect(Timestamp(rfc3339: text)?.seconds == seconds)
    }

    @Test(arguments: [
        "", "garbage", "2026-11-21", "2026-11-21T10:04:05", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
        "2026-11-32T00:00:00Z", "2026-11-00T00:00:00Z", "2026-11-21T24:00:00Z", "2026-11-21T10:60:00Z",
        "2026-11-21 10:04:05Z", "2026-11-21T10:04:05+0200", "2026-11-21T10:04:05+02", "2026-11-21T10:04:05Zjunk",
        "2026-1-21T10:04:05Z", "20261121T100405Z", "2026-11-21T10:04:05.123", "２０２６-11-21T10:04:05Z", "2026-11-21T10:04:05 Z",
    ])
    func rejectsGarbage(_ text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }

    @Test(arguments: ["2026-02-30T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-21T10:04:05.Z", "2026-11-21T10:04:05+25:00"])
    func refusesImpossibleDates(_ text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }

    @Test func ordersAndAdvances() {
        let start = Timestamp(seconds: 100)
        #expect(start < start + 1)
        #expect((start + 60).seconds == 160)
        #expect((start + -200).description == "1969-12-31T23:58:20Z")
    }
}
