import Basics
import Testing
@testable import Runtime

/// The kubelet's image GC policy: nothing below the high threshold; above it, unused images
/// least recently used first, down to the low threshold, never pinned ones, never ones seen
/// for less than the minimum age.
@Suite struct ImageCollectorTests {
    static let gib: UInt64 = 1 << 30

    static func images(_ list: [(String, UInt64, Bool)]) -> [ImageCollector.Image] {
        list.map { ImageCollector.Image(id: $0.0, size: $0.1 * gib, pinned: $0.2) }
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var availableGiB: UInt64
        var inUse: Set<String>
        var ageSeconds: Int64
        var victims: [String]
        var bytesToFree: UInt64
        var fallsShort: Bool
        var testDescription: String { name }
    }

    /// 100 GiB filesystem; images a (used long ago), b (used later), c (never used, in use
    /// now), p (pinned); all seen at 0; the pass runs `ageSeconds` later.
    static let rows: [Row] = [
        Row(name: "under the high threshold: nothing", availableGiB: 16, inUse: [], ageSeconds: 600, victims: [], bytesToFree: 0, fallsShort: false),
        Row(name: "at 85 %: down to 80 %, least recently used first", availableGiB: 15, inUse: ["c"], ageSeconds: 600, victims: ["a"], bytesToFree: 5 * gib, fallsShort: false),
        Row(name: "far over: every unused image, and it falls short", availableGiB: 2, inUse: ["c"], ageSeconds: 600, victims: ["a", "b"], bytesToFree: 18 * gib, fallsShort: true),
        Row(name: "images younger than the minimum age are kept", availableGiB: 2, inUse: [], ageSeconds: 60, victims: [], bytesToFree: 18 * gib, fallsShort: true),
    ]

    @Test(arguments: rows)
    func plans(_ row: Row) {
        var collector = ImageCollector(policy: .init())
        let all = Self.images([("a", 6, false), ("b", 10, false), ("c", 3, false), ("p", 1, true)])
        let roomy = ImageCollector.Usage(capacity: 100 * Self.gib, available: 90 * Self.gib)
        _ = collector.plan(images: all, inUse: ["a"], usage: roomy, now: .zero)
        _ = collector.plan(images: all, inUse: ["b"], usage: roomy, now: Instant.zero + .seconds(10))
        let plan = collector.plan(
            images: all, inUse: row.inUse, usage: .init(capacity: 100 * Self.gib, available: row.availableGiB * Self.gib),
            now: Instant.zero + .seconds(row.ageSeconds)
        )
        #expect(plan == .init(bytesToFree: row.bytesToFree, victims: row.victims, fallsShort: row.fallsShort))
    }

    @Test func anImageRemovedAndPulledAgainIsNewAgain() {
        var collector = ImageCollector(policy: .init())
        let usage = ImageCollector.Usage(capacity: 100 * Self.gib, available: 1 * Self.gib)
        let image = Self.images([("a", 5, false)])
        _ = collector.plan(images: image, inUse: [], usage: usage, now: .zero)
        _ = collector.plan(images: [], inUse: [], usage: usage, now: Instant.zero + .seconds(200))
        #expect(collector.plan(images: image, inUse: [], usage: usage, now: Instant.zero + .seconds(300)).victims.isEmpty, "seen again 0 s ago")
    }

    /// A runtime reporting absurd sizes (near `UInt64.max`) gets a plan, not a trapped agent.
    @Test func extremeFiguresNeitherWrapNorTrap() {
        var collector = ImageCollector(policy: .init())
        let huge = ImageCollector.Usage(capacity: .max, available: 0)
        let images = [ImageCollector.Image(id: "a", size: .max, pinned: false), ImageCollector.Image(id: "b", size: .max, pinned: false)]
        _ = collector.plan(images: images, inUse: [], usage: huge, now: .zero)
        let plan = collector.plan(images: images, inUse: [], usage: huge, now: Instant.zero + .seconds(600))
        #expect(plan.bytesToFree == UInt64.max / 100 * 20 + UInt64.max % 100 * 20 / 100)
        #expect(plan.victims == ["a"], "the first image's size already covers it")
        #expect(!plan.fallsShort)
        #expect(UInt64.max.addingSaturated(1) == .max && UInt64(3).addingSaturated(4) == 7)
        #expect(UInt64.max.multipliedSaturated(by: 2) == .max && UInt64(3).multipliedSaturated(by: 4) == 12)
    }

    @Test func thresholdsAreValidatedAsTheKubeletDoes() {
        var policy = ImageCollector.Policy()
        #expect(policy.problem == nil)
        policy.lowThresholdPercent = 90
        #expect(policy.problem?.contains("must not exceed") == true)
        policy = .init()
        policy.highThresholdPercent = 101
        #expect(policy.problem != nil)
        policy = .init()
        policy.lowThresholdPercent = -1
        #expect(policy.problem != nil)
        policy = .init()
        policy.highThresholdPercent = 100
        var collector = ImageCollector(policy: policy)
        let full = ImageCollector.Usage(capacity: 100, available: 0)
        #expect(collector.plan(images: Self.images([("a", 1, false)]), inUse: [], usage: full, now: Instant.zero + .seconds(999)).bytesToFree == 0, "100 turns collection off")
    }
}
