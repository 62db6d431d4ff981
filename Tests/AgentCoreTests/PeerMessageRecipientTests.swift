import Basics
import Consensus
import Membership
import Testing
@testable import AgentCore

/// Every point-to-point message names the one agent that may act on it; the transport and
/// each handler refuse it anywhere else, so a frame replayed to a third agent changes
/// nothing there.
@Suite struct PeerMessageRecipientTests {
    static let a = NodeID("a"), b = NodeID("b")

    static let pointToPoint: [PeerMessage] = [
        .raft(Raft.Message(from: a, to: b, term: 1, payload: .heartbeat(.init(commit: 0)))),
        .lease(.request(from: a, to: b, sequence: 1)),
        .lease(.grant(from: a, to: b, sequence: 1, term: 1, readIndex: 0)),
        .forward(.propose(from: a, to: b, id: 1, data: [1])),
        .forward(.refused(from: a, to: b, id: 1, notLeader: true, reason: "no")),
        .logs(.cancel(from: a, to: b, stream: 1)),
        .keyring(.request(from: a, to: b, id: 1, operation: .list)),
        .keyring(.response(from: a, to: b, id: 1, keyDigests: [], error: nil)),
        .volume(.chunk(VolumeChunk(
            from: a, to: b, volume: "v", transfer: 7, epoch: 1, generation: 1, parent: 0,
            snapshotUnixMillis: 0, sequence: 0, data: [], digest: nil
        ))),
        .volume(.ack(VolumeAck(from: a, to: b, volume: "v", transfer: 7, sequence: 0, error: "refused"))),
    ]

    @Test(arguments: pointToPoint)
    func aPointToPointMessageIsOnlyForTheAgentItNames(message: PeerMessage) {
        #expect(message.recipient == Self.b)
        #expect(message.isFor(Self.b))
        #expect(!message.isFor(NodeID("c")))
    }

    @Test func gossipAndTheGreetingAreForWhoeverReceivesThem() {
        let ping = PeerMessage.gossip(Membership.Envelope(sender: Self.a, senderAddress: Endpoint(host: "127.0.1.1", port: 7400), message: .ping(sequence: 1)))
        #expect(ping.isFor(NodeID("c")))
        #expect(PeerMessage.hello(from: Self.a).isFor(NodeID("c")))
    }
}
