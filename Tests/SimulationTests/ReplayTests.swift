import Basics
import Foundation
import Membership
import Simulation
import Testing

/// The limit is a hang guard, not a speed check: the controller simulation's seeds can hold both
/// threads of the test pool for minutes while these wait to start, and the clock runs meanwhile.
@Suite(.timeLimit(.minutes(15))) struct ReplayTests {
    func run(seed: UInt64) -> MembershipCluster {
        var cluster = MembershipCluster(size: 40, seed: seed, lossProbability: 0.05)
        cluster.joinAll(over: .seconds(1))
        cluster.run(for: .seconds(3))
        cluster.crash(NodeID("a3"))
        cluster.leave(NodeID("a9"), at: cluster.now + .seconds(1))
        cluster.run(for: .seconds(8))
        return cluster
    }

    /// (d) One seed gives a byte-identical trace (compared by digest and retained lines);
    /// another seed gives a different one.
    @Test(arguments: SimSeeds.seeds(count: 3))
    func sameSeed_sameTraceDigest_differentSeed_differentDigest(seed: UInt64) {
        let first = run(seed: seed)
        let second = run(seed: seed)
        let other = run(seed: seed &+ 1)
        print("trace seed=\(seed): \(first.trace.lineCount) lines, digest \(String(first.trace.digest, radix: 16))")
        #expect(first.trace.lineCount > 1_000)
        #expect(first.trace.digest == second.trace.digest, "\(first.replayHint(test: "sameSeed_sameTraceDigest_differentSeed_differentDigest"))")
        #expect(first.trace.lines == second.trace.lines)
        #expect(first.trace.digest != other.trace.digest)
        #expect(first.violations.isEmpty && other.violations.isEmpty)
    }

    @Test func trace_keepsLast200LinesInArrowFormat() {
        let cluster = run(seed: 1)
        #expect(cluster.trace.lines.count == 200)
        #expect(cluster.trace.lines.allSatisfy { $0.hasPrefix("t=") })
        #expect(cluster.trace.lines.contains { $0.contains("->") && $0.contains(" ping seq=") })
        #expect(cluster.trace.lines.last!.hasPrefix("t=\(Instant(nanoseconds: 0).description)") == false)
    }

    @Test func eventQueue_popsByTimeThenInsertionOrder() {
        var queue = EventQueue<String>()
        queue.push("c", at: Instant(nanoseconds: 5))
        queue.push("a", at: Instant(nanoseconds: 1))
        queue.push("d", at: Instant(nanoseconds: 5))
        queue.push("b", at: Instant(nanoseconds: 1))
        var order: [String] = []
        while let next = queue.pop() { order.append(next.element) }
        #expect(order == ["a", "b", "c", "d"])
    }

    @Test(arguments: [0.0, 0.3, 1.0])
    func network_lossRateIsHonoured(loss: Double) {
        var network = SimNetwork(seed: 9, latency: .milliseconds(1) ... .milliseconds(3), lossProbability: loss)
        var delivered = 0
        for _ in 0..<10_000 {
            if case let .deliver(delay) = network.route(from: NodeID("x"), to: NodeID("y")) {
                delivered += 1
                #expect(delay >= .milliseconds(1) && delay <= .milliseconds(3))
            }
        }
        #expect(abs(Double(delivered) / 10_000 - (1 - loss)) < 0.02)
    }

    @Test func network_partitionsAndCrashesDropMessages() {
        var network = SimNetwork(seed: 1, latency: .milliseconds(1) ... .milliseconds(1), lossProbability: 0)
        network.partition([[NodeID("a")], [NodeID("b")]])
        #expect(network.route(from: NodeID("a"), to: NodeID("b")) == .drop(reason: "partitioned"))
        network.heal()
        #expect(network.route(from: NodeID("a"), to: NodeID("b")) == .deliver(after: .milliseconds(1)))
        network.crash(NodeID("b"))
        #expect(network.route(from: NodeID("a"), to: NodeID("b")) == .drop(reason: "crashed"))
    }
}
