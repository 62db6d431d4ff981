import AgentCore
import Basics
import Membership
import Storage
import Testing
@testable import Agent

/// The leader raises the cluster version only to a format every member reads, and only
/// while it can see every Raft member.
@Suite struct ClusterVersionRuleTests {
    static func member(_ name: String, _ status: Membership.Status = .alive, format: String? = "2") -> Membership.Member {
        var metadata: [String: String] = [:]
        if let format { metadata[MetadataKey.logFormat] = format }
        return Membership.Member(id: NodeID(name), address: Endpoint(host: "127.0.0.1", port: 7000), status: status, incarnation: 1, metadata: metadata)
    }

    static let raft = ["a", "b", "c"].map { NodeID($0) }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var current: LogFormat
        var members: [Membership.Member]
        var raft: [NodeID]
        var expected: LogFormat?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "every member reads 2", current: .unversioned, members: ["a", "b", "c"].map { member($0) }, raft: raft, expected: .envelope),
        Case(name: "already there", current: .envelope, members: ["a", "b", "c"].map { member($0) }, raft: raft, expected: nil),
        Case(name: "a build from before versions", current: .unversioned, members: [member("a"), member("b"), member("c", format: nil)], raft: raft, expected: nil),
        Case(name: "a garbled advertisement counts as format 1", current: .unversioned, members: [member("a"), member("b"), member("c", format: "two")], raft: raft, expected: nil),
        Case(name: "a suspect member still advertises", current: .unversioned, members: [member("a"), member("b", .suspect), member("c")], raft: raft, expected: .envelope),
        Case(name: "a dead Raft member may come back as anything", current: .unversioned, members: [member("a"), member("b"), member("c", .dead)], raft: raft, expected: nil),
        Case(name: "a Raft member gossip never saw", current: .unversioned, members: [member("a"), member("b")], raft: raft, expected: nil),
        Case(name: "a newcomer not yet in Raft counts too", current: .unversioned, members: [member("a"), member("b"), member("c"), member("d", format: nil)], raft: raft, expected: nil),
        Case(name: "a member from the future raises only as far as this build reads", current: .unversioned, members: [member("a", format: "9"), member("b"), member("c")], raft: raft, expected: .envelope),
        Case(name: "a dead non-member does not block", current: .unversioned, members: [member("a"), member("b"), member("c"), member("old", .dead, format: nil)], raft: raft, expected: .envelope),
    ]

    @Test(arguments: cases)
    func target(_ example: Case) {
        #expect(ClusterVersionRule.target(current: example.current, members: example.members, raftMembers: example.raft) == example.expected)
    }
}
