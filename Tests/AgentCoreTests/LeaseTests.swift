import Basics
import Consensus
import Testing
@testable import AgentCore

@Suite struct LeaseHolderTests {
    @Test func aGrantTimesTheLeaseFromWhenTheRequestLeft() {
        var lease = LeaseHolder(duration: .seconds(4))
        let sent = Instant(nanoseconds: 1_000_000_000)
        let sequence = lease.request(now: sent)!
        #expect(!lease.isValid(at: sent), "no lease before the first grant")
        let granted = lease.granted(sequence: sequence, readIndex: 17)
        #expect(granted)
        #expect(lease.deadline == sent + .seconds(4))
        #expect(lease.readIndex == 17)
        #expect(lease.isValid(at: sent + .milliseconds(3999)))
        #expect(!lease.isValid(at: sent + .seconds(4)))
    }

    @Test func requestsAreSpacedByTheRenewInterval() {
        var lease = LeaseHolder(duration: .seconds(4))
        #expect(lease.renewInterval == .seconds(1))
        let sequences = [lease.request(now: .zero), lease.request(now: .zero + .milliseconds(999)), lease.request(now: .zero + .seconds(1))]
        #expect(sequences == [1, nil, 2])
    }

    @Test func lateOrUnknownGrantsNeverMoveTheDeadlineBack() {
        var lease = LeaseHolder(duration: .seconds(4))
        let first = lease.request(now: .zero)!
        let second = lease.request(now: .zero + .seconds(1))!
        let fresh = lease.granted(sequence: second, readIndex: 9)
        let stale = lease.granted(sequence: first, readIndex: 5)
        #expect(fresh)
        #expect(!stale, "a grant older than one already used is stale")
        #expect(lease.deadline == .zero + .seconds(5))
        #expect(lease.readIndex == 9)
        let unknown = lease.granted(sequence: 99, readIndex: 100)
        #expect(!unknown, "a grant for no request is ignored")
        #expect(lease.readIndex == 9)
    }
}

@Suite struct LeaseBookTests {
    let start = Instant(nanoseconds: 10_000_000_000)

    @Test func aFollowerKnowsNoExpiry() {
        let book = LeaseBook(lease: .seconds(4), margin: .seconds(1))
        #expect(!book.hasExpired(NodeID("n2"), now: start + .seconds(100)))
    }

    @Test func aNewLeaderWaitsOneLeasePlusMargin() {
        var book = LeaseBook(lease: .seconds(4), margin: .seconds(1))
        book.becameLeader(at: start)
        #expect(!book.hasExpired(NodeID("n2"), now: start + .milliseconds(4999)))
        #expect(book.hasExpired(NodeID("n2"), now: start + .seconds(5)))
    }

    @Test func eachRenewalRestartsTheWait() {
        var book = LeaseBook(lease: .seconds(4), margin: .seconds(1))
        book.becameLeader(at: start)
        book.heard(from: NodeID("n2"), at: start + .seconds(3))
        #expect(!book.hasExpired(NodeID("n2"), now: start + .milliseconds(7999)))
        #expect(book.hasExpired(NodeID("n2"), now: start + .seconds(8)))
        #expect(book.hasExpired(NodeID("n3"), now: start + .seconds(8)))
        book.steppedDown()
        #expect(!book.hasExpired(NodeID("n3"), now: start + .seconds(80)), "a deposed leader's records are void")
    }

    @Test func readContextsRoundTripAndRejectOtherReads() {
        let requests: [(node: NodeID, sequence: UInt64)] = [(NodeID("a1"), 1), (NodeID("web-agent-2"), UInt64.max)]
        let decoded = LeaseReadContext.decode(LeaseReadContext.encode(requests))
        #expect(decoded?.map(\.node) == requests.map(\.node))
        #expect(decoded?.map(\.sequence) == requests.map(\.sequence))
        #expect(LeaseReadContext.decode([]) == nil)
        #expect(LeaseReadContext.decode([0x00, 1, 2]) == nil)
        #expect(LeaseReadContext.decode(Array(LeaseReadContext.encode(requests).dropLast())) == nil)
    }
}

/// Leases between real `AgentNode`s on the mini network.
@Suite struct AgentLeaseTests {
    @Test func everyAgentHoldsALeaseWhileTheLeaderHasAQuorum() throws {
        var cluster = MiniCluster(count: 3, bootstrapExpect: 3)
        cluster.run(for: .seconds(8))
        let leader = try #require(cluster.leaders.first)
        for node in cluster.nodes.values {
            #expect(node.lease.isValid(at: cluster.now), "\(node.id) holds no lease")
            #expect(node.lease.readIndex > 0)
            #expect(node.lease.deadline! > cluster.now + .seconds(2), "\(node.id): renewed about every second")
        }
        #expect(cluster.node(leader)?.fencedNodes(now: cluster.now).isEmpty == true)
    }

    @Test func aCrashedAgentIsLostOnlyAfterItsLeaseAndTheMargin() throws {
        var cluster = MiniCluster(count: 3, bootstrapExpect: 3)
        cluster.run(for: .seconds(8))
        let leader = try #require(cluster.leaders.first)
        let victim = try #require(cluster.nodes.values.map(\.id).sorted().first { $0 != leader })
        let victimDeadline = try #require(cluster.node(victim)?.lease.deadline)
        cluster.crashed.insert(try #require(cluster.endpoint(of: victim)))
        var lostAt: Instant?
        for _ in 0 ..< 300 where lostAt == nil {
            cluster.run(for: .milliseconds(100))
            if cluster.node(leader)?.fencedNodes(now: cluster.now).contains(victim) == true { lostAt = cluster.now }
        }
        let lost = try #require(lostAt, "the leader never declared \(victim) lost")
        #expect(lost >= victimDeadline + .seconds(1), "moved before the victim's own deadline plus the margin")
        #expect(lost < victimDeadline + .seconds(10))
    }

    @Test func aPartitionedLeaderStopsRenewingItsOwnLease() throws {
        var cluster = MiniCluster(count: 3, bootstrapExpect: 3)
        cluster.run(for: .seconds(8))
        let leader = try #require(cluster.leaders.first)
        let others = cluster.nodes.keys.filter { $0 != cluster.endpoint(of: leader) }
        // Cut the leader off: the others crash from its point of view, and it from theirs.
        var isolated = cluster
        for endpoint in others { isolated.crashed.insert(endpoint) }
        isolated.run(for: .seconds(8))
        let deadline = try #require(isolated.node(leader)?.lease.deadline)
        #expect(!(isolated.node(leader)?.lease.isValid(at: isolated.now) ?? true), "an isolated leader keeps its lease until \(deadline)")
    }
}
