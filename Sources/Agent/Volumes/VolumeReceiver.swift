import AgentCore
import Basics
import ClusterState
import Crypto
import Dispatch
import Foundation
import Glibc
import Logging
import Subprocess
import Synchronization
import Transport

/// The copy's side of a snapshot transfer: pipes the chunks, in order, into `btrfs receive`
/// in `incoming/<pv>/`, checks the stream's SHA-256 on the last chunk, and only then moves
/// the received snapshot into `copies/<pv>/` (``BtrfsPool``), dropping the older one — so `copies/<pv>/`
/// always holds whole snapshots, whatever happens mid-transfer (a crash leaves only
/// `incoming/`, which the next transfer clears).
///
/// A chunk is taken only from the volume's primary in the volume's current epoch, for a
/// node this replica lists as a copy: a returning old primary cannot overwrite anything.
/// Chunks are handled one at a time on a serial queue, off the node loop.
final class VolumeReceiver: Sendable {
    /// The error prefix that tells the sender to send the whole volume.
    static let missingParent = "missing parent snapshot"

    private struct Transfer {
        var id: UInt64
        var volume: String
        var name: SnapshotName
        var next: UInt64
        var hasher: SHA256
        var process: ProcessGroup
        var input: FileHandle
    }

    private let me: NodeID
    private let pool: BtrfsPool
    private let transport: PeerTransport
    private let store: AgentStore
    private let address: @Sendable (NodeID) -> Endpoint?
    private let logger: Logger
    private let queue = DispatchQueue(label: "ordinal.volume-receiver")
    /// Touched only on `queue`.
    private let transfers = Mutex<[String: Transfer]>([:])
    /// Called on `queue` after a snapshot is applied.
    private let applied: @Sendable (String, SnapshotName) -> Void

    init(
        me: NodeID, pool: BtrfsPool, transport: PeerTransport, store: AgentStore, logger: Logger,
        address: @escaping @Sendable (NodeID) -> Endpoint?, applied: @escaping @Sendable (String, SnapshotName) -> Void
    ) {
        self.me = me
        self.pool = pool
        self.transport = transport
        self.store = store
        self.logger = logger
        self.address = address
        self.applied = applied
    }

    func receive(_ chunk: VolumeChunk) {
        queue.async { self.handle(chunk) }
    }

    /// A chunk for another agent (a replay, a misroute) is dropped unanswered: answering it
    /// would speak, to the primary, for a transfer this agent has no part in.
    private func handle(_ chunk: VolumeChunk) {
        guard chunk.to == me else { return }
        let outcome = take(chunk)
        guard let to = address(chunk.from) else { return }
        var ack = VolumeAck(from: me, to: chunk.from, volume: chunk.volume, transfer: chunk.transfer, sequence: chunk.sequence)
        switch outcome {
        case .taken: break
        case .applied(let generation): ack.applied = generation
        case .refused(let reason):
            ack.error = reason
            logger.info("volume transfer refused", metadata: ["volume": "\(chunk.volume)", "from": "\(chunk.from)", "error": "\(reason)"])
        }
        transport.send(.volume(.ack(ack)), to: to)
    }

    private enum Outcome {
        case taken
        case applied(UInt64)
        case refused(String)
    }

    private func take(_ chunk: VolumeChunk) -> Outcome {
        let state = store.cluster.state
        guard let volume = state.volumes[ObjectKey(namespace: "", name: chunk.volume)], let source = volume.spec.replicated else {
            abort(chunk.volume)
            return .refused("no replicated volume \(chunk.volume) here")
        }
        guard source.primary == chunk.from.name, source.epoch == chunk.epoch, source.primary != me.name, source.nodes.contains(me.name) else {
            abort(chunk.volume)
            return .refused("\(me.name) does not hold a copy of \(chunk.volume) from \(chunk.from.name) in epoch \(chunk.epoch)")
        }
        let name = SnapshotName(epoch: chunk.epoch, generation: chunk.generation)
        if chunk.sequence == 0 {
            abort(chunk.volume)
            if let failure = start(chunk, name: name) { return .refused(failure) }
        }
        guard var transfer = transfers.withLock({ $0[chunk.volume] }), transfer.id == chunk.transfer, transfer.next == chunk.sequence else {
            abort(chunk.volume)
            return .refused("chunk \(chunk.sequence) of transfer \(chunk.transfer) out of order")
        }
        transfer.hasher.update(data: chunk.data)
        transfer.next += 1
        do {
            if !chunk.data.isEmpty { try transfer.input.write(contentsOf: chunk.data) }
        } catch {
            abort(chunk.volume)
            return .refused("btrfs receive stopped reading: \(said(chunk.volume) ?? "\(error)")")
        }
        transfers.withLock { $0[chunk.volume] = transfer }
        guard let digest = chunk.digest else { return .taken }
        return finish(transfer, digest: digest)
    }

    /// `btrfs receive`'s arguments. The stream is checked only at its end, so until then it
    /// is a key holder's word: `--chroot` confines every path in it (a `../` in a file name
    /// would otherwise write anywhere the agent can) to `directory`.
    static func receiveArguments(into directory: String) -> [String] {
        ["receive", "-q", "--chroot", directory]
    }

    /// Starts `btrfs receive` for a new transfer; the reason it cannot, or nil.
    private func start(_ chunk: VolumeChunk, name: SnapshotName) -> String? {
        let incoming = pool.incoming(chunk.volume), copies = pool.copies(chunk.volume)
        pool.deleteAll(in: incoming)
        pool.makeDirectory(incoming)
        pool.makeDirectory(copies)
        if chunk.parent != 0, !FileManager.default.fileExists(atPath: pool.copy(chunk.volume, SnapshotName(epoch: chunk.epoch, generation: chunk.parent))) {
            return "\(Self.missingParent) e\(chunk.epoch)g\(chunk.parent)"
        }
        let errors = open(errorLog(chunk.volume), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        defer { if errors >= 0 { close(errors) } }
        let child: Subprocess.Child
        do {
            child = try Subprocess.spawn(Subprocess.Options(
                executable: BtrfsPool.btrfs, arguments: [BtrfsPool.btrfs] + Self.receiveArguments(into: incoming),
                environment: Subprocess.inheritedEnvironment, stdin: .pipe, stderr: errors >= 0 ? .descriptor(errors) : .null
            ))
        } catch {
            return "cannot run btrfs receive: \(error)"
        }
        let (process, input) = (child.group, FileHandle(fileDescriptor: child.stdin!, closeOnDealloc: true))
        transfers.withLock {
            $0[chunk.volume] = Transfer(id: chunk.transfer, volume: chunk.volume, name: name, next: 0, hasher: SHA256(), process: process, input: input)
        }
        return nil
    }

    /// Ends the stream, checks it, and makes the snapshot the copy's.
    private func finish(_ transfer: Transfer, digest: [UInt8]) -> Outcome {
        transfers.withLock { $0[transfer.volume] = nil }
        try? transfer.input.close()
        let ended = transfer.process.waitAndReap()
        let incoming = pool.incoming(transfer.volume), copies = pool.copies(transfer.volume)
        guard Array(transfer.hasher.finalize()) == digest else {
            pool.deleteAll(in: incoming)
            return .refused("checksum mismatch: the stream of \(transfer.name) arrived damaged")
        }
        guard ended.succeeded else {
            pool.deleteAll(in: incoming)
            return .refused("btrfs receive failed (\(ended)): \(said(transfer.volume) ?? "")")
        }
        let target = "\(copies)/\(transfer.name)"
        guard FileManager.default.fileExists(atPath: "\(incoming)/\(transfer.name)"), rename(incoming, target) == 0 else {
            let reason = String(cString: strerror(errno))
            pool.deleteAll(in: incoming)
            return .refused("cannot keep \(transfer.name): \(reason)")
        }
        pool.deleteCopies(transfer.volume, except: transfer.name)
        applied(transfer.volume, transfer.name)
        return .applied(transfer.name.generation)
    }

    /// Where `btrfs receive` writes what it says, for the refusal's message (`ENOSPC`…).
    private func errorLog(_ volume: String) -> String { "\(pool.root)/receive-\(volume).err" }

    /// The last thing `btrfs receive` said for `volume`, if anything.
    private func said(_ volume: String) -> String? {
        guard let data = FileManager.default.contents(atPath: errorLog(volume)), !data.isEmpty else { return nil }
        return String(decoding: data.suffix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Drops the volume's transfer in progress, if any, and what it received.
    private func abort(_ volume: String) {
        guard let transfer = transfers.withLock({ $0.removeValue(forKey: volume) }) else { return }
        try? transfer.input.close()
        transfer.process.stop()
        pool.deleteAll(in: pool.incoming(volume))
    }
}
