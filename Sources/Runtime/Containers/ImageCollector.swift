package import Basics

/// The kubelet's image garbage collection (`pkg/kubelet/images/image_gc_manager.go`), as a
/// pure policy: when the image filesystem's usage reaches the high threshold, remove images
/// no container uses (pinned ones and the sandbox image never), least recently used first
/// and none seen for less than the minimum age, until usage is down to the low threshold.
package struct ImageCollector: Sendable {
    /// `--image-gc-high-threshold`, `--image-gc-low-threshold` and
    /// `--minimum-image-ttl-duration`, with the kubelet's defaults.
    package struct Policy: Sendable, Equatable {
        package var highThresholdPercent = 85
        package var lowThresholdPercent = 80
        package var minimumAge: Duration = .seconds(120)

        package init() {}

        /// The kubelet's validation: both in 0...100 and low not above high; 100 turns
        /// collection off.
        package var problem: String? {
            guard (0 ... 100).contains(highThresholdPercent) else { return "--image-gc-high-threshold must be in 0...100" }
            guard (0 ... 100).contains(lowThresholdPercent) else { return "--image-gc-low-threshold must be in 0...100" }
            guard lowThresholdPercent <= highThresholdPercent else { return "--image-gc-low-threshold must not exceed --image-gc-high-threshold" }
            guard minimumAge >= .zero else { return "--minimum-image-ttl-duration must not be negative" }
            return nil
        }
    }

    /// An image the runtime holds.
    package struct Image: Sendable, Hashable {
        package var id: String
        package var size: UInt64
        /// Kept whatever the usage: the runtime pins it, or it is the sandbox image.
        package var pinned: Bool

        package init(id: String, size: UInt64, pinned: Bool) {
            self.id = id
            self.size = size
            self.pinned = pinned
        }
    }

    /// The image filesystem's size and what is left of it, in bytes.
    package struct Usage: Sendable {
        package var capacity: UInt64
        package var available: UInt64

        package init(capacity: UInt64, available: UInt64) {
            self.capacity = capacity
            self.available = available
        }

        /// As the kubelet rounds it (`100 - available*100/capacity`), in full width so no
        /// figure the runtime reports can wrap.
        var percentUsed: Int { capacity == 0 ? 0 : 100 - Int(Self.share(min(available, capacity), percent: 100, of: capacity)) }

        /// `value * percent / divisor`, exact; fits when `value <= divisor` and `percent <= 100`.
        static func share(_ value: UInt64, percent: UInt64, of divisor: UInt64) -> UInt64 {
            divisor.dividingFullWidth(value.multipliedFullWidth(by: percent)).quotient
        }
    }

    /// What one pass decided.
    package struct Plan: Sendable, Equatable {
        /// Bytes to free to come down to the low threshold (0: under the high threshold).
        package var bytesToFree: UInt64
        /// Images to remove, in order.
        package var victims: [String]
        /// Whether removing every victim still leaves less freed than asked (the kubelet
        /// reports `FreeDiskSpaceFailed`).
        package var fallsShort: Bool
    }

    package let policy: Policy
    private var firstSeen: [String: Instant] = [:]
    private var lastUsed: [String: Instant] = [:]

    package init(policy: Policy) {
        self.policy = policy
    }

    /// Notes which images exist and which are in use at `now`, then plans the pass.
    /// - Parameter inUse: ids of images any container in the runtime uses, in any state.
    package mutating func plan(images: [Image], inUse: Set<String>, usage: Usage, now: Instant) -> Plan {
        let present = Set(images.map(\.id))
        firstSeen = firstSeen.filter { present.contains($0.key) }
        lastUsed = lastUsed.filter { present.contains($0.key) }
        for image in images {
            if firstSeen[image.id] == nil { firstSeen[image.id] = now }
            if inUse.contains(image.id) { lastUsed[image.id] = now }
        }
        guard policy.highThresholdPercent < 100, usage.capacity > 0, usage.percentUsed >= policy.highThresholdPercent else {
            return Plan(bytesToFree: 0, victims: [], fallsShort: false)
        }
        let target = Usage.share(usage.capacity, percent: UInt64(100 - policy.lowThresholdPercent), of: 100)
        let bytesToFree = target > usage.available ? target - usage.available : 0
        let candidates = images.filter { image in
            !image.pinned && !inUse.contains(image.id) && now >= (firstSeen[image.id] ?? now) + policy.minimumAge
        }.sorted { a, b in
            let ka = (lastUsed[a.id] ?? .zero, firstSeen[a.id] ?? .zero, a.id)
            let kb = (lastUsed[b.id] ?? .zero, firstSeen[b.id] ?? .zero, b.id)
            return ka < kb
        }
        var freed: UInt64 = 0
        var victims: [String] = []
        for image in candidates where freed < bytesToFree {
            victims.append(image.id)
            freed = freed.addingSaturated(image.size)
        }
        return Plan(bytesToFree: bytesToFree, victims: victims, fallsShort: freed < bytesToFree)
    }
}
