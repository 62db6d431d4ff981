import AgentCore
import Basics
import Testing
@testable import Agent

/// A primary's transfer is known by (copy, id): an ack from an agent the transfer does not
/// go to — answering a replayed chunk — cannot end a healthy copy's transfer.
@Suite struct VolumeTransfersTests {
    static let primary = NodeID("a1"), copy = NodeID("a2"), bystander = NodeID("a3")

    @Test func aRefusalFromAnUninvolvedAgentLeavesTheTransferRunning() {
        let transfers = VolumeTransfers(me: Self.primary)
        let acks = transfers.open(7, to: Self.copy)
        let refusal = VolumeAck(from: Self.bystander, to: Self.primary, volume: "pvc-1", transfer: 7, sequence: 0, error: "a3 does not hold a copy")
        #expect(!transfers.route(refusal))
        #expect(acks.state.withLock { $0.error } == nil)
        #expect(transfers.route(VolumeAck(from: Self.copy, to: Self.primary, volume: "pvc-1", transfer: 7, sequence: 0)))
        #expect(acks.state.withLock { $0.highest } == 0)
    }

    @Test func anAckForAnotherPrimaryIsIgnored() {
        let transfers = VolumeTransfers(me: Self.primary)
        let acks = transfers.open(7, to: Self.copy)
        #expect(!transfers.route(VolumeAck(from: Self.copy, to: Self.bystander, volume: "pvc-1", transfer: 7, sequence: 0, error: "no")))
        #expect(acks.state.withLock { $0.error } == nil)
    }

    @Test func aClosedTransferTakesNoMoreAcks() {
        let transfers = VolumeTransfers(me: Self.primary)
        _ = transfers.open(7, to: Self.copy)
        transfers.close(7, to: Self.copy)
        #expect(!transfers.route(VolumeAck(from: Self.copy, to: Self.primary, volume: "pvc-1", transfer: 7, sequence: 0)))
    }
}
