import Basics

/// An in-memory network with per-message latency, random loss, partitions and crashed
/// nodes (etcd's `network`, grown up). Latency and loss draw from independent streams split
/// off one seed, so changing the loss rate does not reshuffle every latency.
package struct SimNetwork: Sendable {
    /// Each message's one-way delay is uniform in this range; random delay also reorders.
    package var latency: ClosedRange<Duration>
    /// Probability that any one message is lost, 0 ... 1.
    package var lossProbability: Double
    var latencyStream: SplitMix64
    var lossStream: SplitMix64
    /// Partition group per node; nodes in different groups cannot talk. Absent = group 0.
    var groups: [NodeID: Int] = [:]
    package private(set) var crashed: Set<NodeID> = []

    package init(seed: UInt64, latency: ClosedRange<Duration>, lossProbability: Double) {
        var root = SplitMix64(seed: seed)
        latencyStream = root.split()
        lossStream = root.split()
        self.latency = latency
        self.lossProbability = lossProbability
    }

    /// What happens to one message.
    package enum Fate: Sendable, Hashable {
        case deliver(after: Duration)
        case drop(reason: String)
    }

    /// Splits the nodes into groups that cannot reach each other; unlisted nodes join group 0.
    package mutating func partition(_ partitionGroups: [[NodeID]]) {
        groups = [:]
        for (index, group) in partitionGroups.enumerated() {
            for node in group { groups[node] = index }
        }
    }

    package mutating func heal() { groups = [:] }

    package mutating func crash(_ node: NodeID) { crashed.insert(node) }

    package mutating func restore(_ node: NodeID) { crashed.remove(node) }

    package func canReach(from source: NodeID, to destination: NodeID) -> Bool {
        (groups[source] ?? 0) == (groups[destination] ?? 0)
    }

    /// Decides one message's fate. Both streams advance on every call, whatever the outcome,
    /// so a crash or partition elsewhere does not shift later draws.
    package mutating func route(from source: NodeID, to destination: NodeID) -> Fate {
        let lost = Double.random(in: 0..<1, using: &lossStream) < lossProbability
        let low = latency.lowerBound.nanoseconds
        let high = latency.upperBound.nanoseconds
        let delay = Duration.nanoseconds(low == high ? low : Int64.random(in: low...high, using: &latencyStream))
        if crashed.contains(source) { return .drop(reason: "sender-crashed") }
        if crashed.contains(destination) { return .drop(reason: "crashed") }
        if !canReach(from: source, to: destination) { return .drop(reason: "partitioned") }
        if lost { return .drop(reason: "lost") }
        return .deliver(after: delay)
    }
}
