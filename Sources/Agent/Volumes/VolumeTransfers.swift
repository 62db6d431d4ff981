import AgentCore
import Basics
import Synchronization

/// The snapshot transfers a primary runs, each to one copy, and where their acks go.
///
/// An ack counts for a transfer only when it names this agent and comes from the copy that
/// transfer goes to: a transfer is known by (copy, id), not by its id alone. Otherwise a
/// chunk replayed to an uninvolved agent (or a key holder's forgery) would make that agent
/// answer a refusal carrying the transfer's id, and the primary would abandon a healthy
/// copy's transfer.
final class VolumeTransfers: Sendable {
    private struct Key: Hashable {
        var copy: NodeID
        var transfer: UInt64
    }

    private let me: NodeID
    private let pending = Mutex<[Key: VolumeSender.Acks]>([:])

    init(me: NodeID) {
        self.me = me
    }

    /// Starts waiting for `copy`'s acks of `transfer`.
    func open(_ transfer: UInt64, to copy: NodeID) -> VolumeSender.Acks {
        let acks = VolumeSender.Acks()
        pending.withLock { $0[Key(copy: copy, transfer: transfer)] = acks }
        return acks
    }

    func close(_ transfer: UInt64, to copy: NodeID) {
        pending.withLock { $0[Key(copy: copy, transfer: transfer)] = nil }
    }

    /// Hands `ack` to the transfer it answers.
    /// - Returns: whether one took it (false: not for this agent, or from another agent
    ///   than the transfer's copy, or for no transfer running).
    @discardableResult
    func route(_ ack: VolumeAck) -> Bool {
        guard ack.to == me, let acks = pending.withLock({ $0[Key(copy: ack.from, transfer: ack.transfer)] }) else { return false }
        acks.receive(ack)
        return true
    }
}
