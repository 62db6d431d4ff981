import AgentCore
import Basics
import ClusterState
import Crypto
import Dispatch
import Foundation
import Subprocess
import Synchronization
import Transport

/// Ships one snapshot of a replicated volume to one copy: runs `btrfs send` (an increment
/// over the snapshot the copy acknowledged last, or the whole volume), cuts its stream into
/// chunks of ``chunkBytes`` with at most ``window`` unacknowledged at once, and ends with the
/// stream's SHA-256, which the copy checks before it makes the snapshot its own.
///
/// Blocking (it reads a pipe and waits for acks): it runs on its own dispatch queue, never
/// on the node loop or the cooperative pool.
final class VolumeSender: Sendable {
    static let chunkBytes = 256 << 10
    static let window = 8
    /// A copy that acknowledges nothing for this long has failed the transfer.
    static let ackTimeout: DispatchTimeInterval = .seconds(3)

    /// What one transfer is waiting for: the highest chunk acknowledged, and the end.
    final class Acks: Sendable {
        struct State {
            var highest: UInt64?
            var applied: UInt64?
            var error: String?
        }

        let state = Mutex(State())
        let signal = DispatchSemaphore(value: 0)

        func receive(_ ack: VolumeAck) {
            state.withLock { state in
                state.highest = max(state.highest ?? 0, ack.sequence)
                if let applied = ack.applied { state.applied = applied }
                if let error = ack.error { state.error = error }
            }
            signal.signal()
        }
    }

    struct Job: Sendable {
        var volume: String
        var copy: NodeID
        var address: Endpoint
        var snapshot: SnapshotName
        var snapshotUnixMillis: Int64
        /// The copy's snapshot to send an increment over; nil: the whole volume.
        var parent: SnapshotName?
    }

    enum Outcome: Sendable, Equatable {
        case applied
        /// The copy refused; with `needsWhole` it lacks the parent.
        case refused(String, needsWhole: Bool)
        case failed(String)
    }

    private let me: NodeID
    private let pool: BtrfsPool
    private let transport: PeerTransport
    private let transfers: VolumeTransfers

    init(me: NodeID, pool: BtrfsPool, transport: PeerTransport) {
        self.me = me
        self.pool = pool
        self.transport = transport
        transfers = VolumeTransfers(me: me)
    }

    /// An ack from a copy, routed to the transfer to that copy that waits for it.
    func receive(_ ack: VolumeAck) {
        transfers.route(ack)
    }

    /// Sends the snapshot and waits for the copy to apply it. Blocking.
    func ship(_ job: Job) -> Outcome {
        let transfer = UInt64.random(in: 1 ... .max)
        let acks = transfers.open(transfer, to: job.copy)
        defer { transfers.close(transfer, to: job.copy) }

        let snapshotPath = "\(pool.snapshots(job.volume))/\(job.snapshot)"
        let arguments = ["send", "-q"] + (job.parent.map { ["-p", "\(pool.snapshots(job.volume))/\($0)"] } ?? []) + [snapshotPath]
        let running: SystemCommand.Running
        do {
            running = try SystemCommand.start(BtrfsPool.btrfs, arguments)
        } catch {
            return .failed("cannot run btrfs send: \(error)")
        }
        defer { running.group.stop() }

        var hasher = SHA256()
        var sequence: UInt64 = 0
        func chunk(_ data: [UInt8], digest: [UInt8]?) -> VolumeChunk {
            VolumeChunk(
                from: me, to: job.copy, volume: job.volume, transfer: transfer, epoch: job.snapshot.epoch,
                generation: job.snapshot.generation, parent: job.parent?.generation ?? 0,
                snapshotUnixMillis: job.snapshotUnixMillis, sequence: sequence, data: data, digest: digest
            )
        }
        /// Waits until fewer than `window` chunks are unacknowledged (or the end, with
        /// `final`); the failure that ends the transfer, if any.
        func waitFor(_ done: (Acks.State) -> Bool) -> Outcome? {
            while true {
                let state = acks.state.withLock { $0 }
                if let error = state.error { return .refused(error, needsWhole: error.hasPrefix(VolumeReceiver.missingParent)) }
                if done(state) { return nil }
                if acks.signal.wait(timeout: .now() + Self.ackTimeout) == .timedOut {
                    return .failed("\(job.copy.name) acknowledged nothing for \(Self.ackTimeout)")
                }
            }
        }

        let reader = running.output
        while true {
            let data: Data
            do { data = try reader.read(upToCount: Self.chunkBytes) ?? Data() } catch { return .failed("reading btrfs send: \(error)") }
            if data.isEmpty { break }
            let bytes = [UInt8](data)
            hasher.update(data: bytes)
            // Fewer than `window` chunks past the highest acknowledged (an ack of any
            // sequence, even a forged huge one, cannot make this trap).
            if let failure = waitFor({ (state: Acks.State) in
                sequence < Self.window || state.highest.map { $0 >= sequence || sequence - $0 < UInt64(Self.window) } ?? false
            }) {
                return failure
            }
            transport.send(.volume(.chunk(chunk(bytes, digest: nil))), to: job.address)
            sequence += 1
        }
        guard running.group.waitAndReap().succeeded else {
            let said = String(decoding: running.errors.readDataToEndOfFile(), as: UTF8.self)
            return .failed("btrfs send: \(said.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        transport.send(.volume(.chunk(chunk([], digest: Array(hasher.finalize())))), to: job.address)
        return waitFor({ $0.applied != nil }) ?? .applied
    }
}
