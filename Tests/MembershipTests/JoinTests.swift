import Basics
import Testing
@testable import Membership

@Suite struct JoinTests {
    @Test func join_sendsPushPullRequestToEachSeedExceptOwnAddress() {
        var a = Instance(id: node("a"), address: address("a"), metadata: [:], settings: .init(), seed: 7)
        let directives = a.handle(.join(seeds: [address("a"), address("b"), address("c"), address("b")], now: at(0)))
        let sends = directives.sends
        #expect(sends.map(\.to) == [address("b"), address("c")])
        for send in sends {
            guard case let .pushPull(members, isReply) = send.envelope.message else {
                Issue.record("expected push-pull, got \(send.envelope.message)")
                continue
            }
            #expect(!isReply)
            #expect(members.map(\.id) == [node("a")])
        }
    }

    @Test func pushPullRequest_isMergedAndAnsweredWithFullState() {
        var b = instance(knowing: [])
        let request = envelope(from: "j", .pushPull(members: [member("j"), member("k", .alive, 3)], isReply: false))
        let directives = b.handle(.received(request, now: at(5)))
        #expect(b.members.map(\.id) == [node("a"), node("j"), node("k")])
        #expect(b.member(node("k"))?.incarnation == 3)
        #expect(Set(directives.changes.map(\.member.id)) == [node("j"), node("k")])
        #expect(directives.changes.allSatisfy { $0.previous == nil })
        let reply = directives.sends.first { if case .pushPull(_, true) = $0.envelope.message { true } else { false } }
        #expect(reply?.to == address("j"))
        if case let .pushPull(members, _)? = reply?.envelope.message {
            #expect(members.map(\.id) == [node("a"), node("j"), node("k")])
        }
    }

    @Test func pushPullReply_isNotAnswered() {
        var a = instance(knowing: [])
        let directives = a.handle(.received(envelope(from: "b", .pushPull(members: [member("b")], isReply: true)), now: at(1)))
        #expect(directives.sends.allSatisfy { if case .pushPull = $0.envelope.message { false } else { true } })
        #expect(a.member(node("b"))?.status == .alive)
    }

    @Test func unknownSender_isAddedAsAliveAtIncarnationZero() {
        var a = instance(knowing: [])
        let directives = a.handle(.received(envelope(from: "z", .ping(sequence: 9)), now: at(1)))
        #expect(a.member(node("z")) == member("z"))
        #expect(directives.changes == [Membership.MemberChange(previous: nil, member: member("z"))])
        #expect(directives.sends.first?.to == address("z"))
    }

    @Test func members_areSortedByIdAndIncludeSelf() {
        let a = instance(knowing: ["d", "b", "c"])
        #expect(a.members.map(\.id.name) == ["a", "b", "c", "d"])
        #expect(a.me.status == .alive)
        #expect(a.incarnation == 0)
    }

    @Test(arguments: [
        ["role": "x"],
        ["k": String(repeating: "v", count: 600)],
        ["api": String(repeating: "1", count: 509)],  // 3 + 509 = 512: at the bound, accepted
        ["api": String(repeating: "1", count: 510)],  // 513 bytes: over, dropped
    ])
    func receivedMetadata_beyondBound_dropsThatMemberOnly(metadata: [String: String]) {
        var a = instance(knowing: [])
        var big = member("m")
        big.metadata = metadata
        let fits = Instance.metadataSize(metadata) <= Membership.Settings().maxMetadataBytes
        _ = a.handle(.received(envelope(from: "b", .pushPull(members: [big, member("c")], isReply: true)), now: at(1)))
        #expect((a.member(node("m")) != nil) == fits)
        #expect(a.member(node("c")) != nil)
    }

    @Test func metadataSize_sumsKeyAndValueUTF8Lengths() {
        #expect(Instance.metadataSize([:]) == 0)
        #expect(Instance.metadataSize(["ab": "cde", "é": "x"]) == 2 + 3 + 2 + 1)
    }

    @Test func ownMetadataWithinBound_isPublished() {
        let meta = ["dns": "10.0.0.1:53"]
        let a = Instance(id: node("a"), address: address("a"), metadata: meta, settings: .init(), seed: 1)
        #expect(a.me.metadata == meta)
    }
}

@Suite struct MetadataUpdateTests {
    @Test func updatedMetadataIsPublishedUnderAHigherIncarnation() {
        var a = Membership.Instance(id: NodeID("a"), address: Endpoint(host: "127.0.0.1", port: 1), metadata: ["role": "x"], settings: .init(), seed: 1)
        _ = a.handle(.join(seeds: [], now: .zero))
        let directives = a.handle(.updateMetadata(["role": "y"], now: .zero))
        #expect(a.me.metadata == ["role": "y"])
        #expect(a.incarnation == 1)
        #expect(directives.contains { if case .memberChanged(let change) = $0 { change.member.metadata == ["role": "y"] } else { false } })
    }

    @Test func unchangedOrOversizedMetadataChangesNothing() {
        var a = Membership.Instance(id: NodeID("a"), address: Endpoint(host: "127.0.0.1", port: 1), metadata: ["role": "x"], settings: .init(), seed: 1)
        _ = a.handle(.join(seeds: [], now: .zero))
        _ = a.handle(.updateMetadata(["role": "x"], now: .zero))
        _ = a.handle(.updateMetadata(["big": String(repeating: "z", count: 600)], now: .zero))
        #expect(a.incarnation == 0)
        #expect(a.me.metadata == ["role": "x"])
    }
}

@Suite struct JoinRetryTests {
    private func pushPullRequests(_ directives: [Directive], to seed: Endpoint) -> Int {
        directives.sends.filter { send in
            guard send.to == seed, case let .pushPull(_, isReply) = send.envelope.message else { return false }
            return !isReply
        }.count
    }

    @Test func join_keepsAskingSeedsUntilAPushPullReplyArrives_evenAfterHearingAMember() {
        var a = Instance(id: node("a"), address: address("a"), metadata: [:], settings: .init(), seed: 7)
        _ = a.handle(.join(seeds: [address("b")], now: at(0)))
        // Another member's gossip reaches us, but the seed's full state does not.
        _ = a.handle(.received(envelope(from: "c", .ping(sequence: 1)), now: at(10)))
        var asked = 0
        for step in 1...5 { asked += pushPullRequests(a.handle(.tick(now: at(step * 400 + 10))), to: address("b")) }
        #expect(asked >= 2)
        _ = a.handle(.received(envelope(from: "b", .pushPull(members: [member("b"), member("c")], isReply: true)), now: at(2_100)))
        var after = 0
        for step in 6...12 { after += pushPullRequests(a.handle(.tick(now: at(step * 400 + 10))), to: address("b")) }
        #expect(after == 0)
    }
}
