import Foundation
import Glibc
import Runtime

/// The agent's volume pool: a btrfs filesystem under `<data-dir>/pool` holding every
/// replicated volume's data as subvolumes (design §6, `docs/storage.md`). btrfs gives what
/// replication needs in the kernel: an atomic, crash-consistent read-only snapshot of a
/// whole volume in constant time, and `send -p` / `receive`, which ship exactly what changed
/// between two snapshots and apply it as a new whole snapshot.
///
/// When the data dir is on btrfs the pool is a plain directory; otherwise the agent keeps a
/// sparse image file of `--volume-pool-size` in the data dir, loop-mounted. Layout:
///
///     volumes/<pv>@e<epoch>      the writable volume, on the primary
///     snapshots/<pv>/e<E>g<G>    read-only snapshots the primary took and ships
///     copies/<pv>/e<E>g<G>/e<E>g<G>  the whole snapshot a copy holds (only complete ones)
///     incoming/<pv>/             where a transfer is received before it is complete
///
/// A received snapshot is read-only, so it cannot be renamed (its `..` would change);
/// the plain directory around it is: a transfer is received into `incoming/<pv>/` and that
/// directory is renamed to `copies/<pv>/<name>` once the snapshot is whole.
///     recovery/<pv>@e<E>-<unix>  an old primary's volume after a failover, kept read-only
struct BtrfsPool: Sendable {
    let root: String
    /// The image file backing a loop-mounted pool; nil when the data dir is on btrfs.
    let image: String?
    let sizeBytes: Int64

    static let btrfs = SystemCommand.tool("/usr/bin/btrfs", "/bin/btrfs", "/usr/sbin/btrfs", "/sbin/btrfs")
    private static let mkfs = SystemCommand.tool("/usr/sbin/mkfs.btrfs", "/sbin/mkfs.btrfs", "/usr/bin/mkfs.btrfs")
    private static let mount = SystemCommand.tool("/usr/bin/mount", "/bin/mount")
    private static let umount = SystemCommand.tool("/usr/bin/umount", "/bin/umount")
    private static let stat = SystemCommand.tool("/usr/bin/stat", "/bin/stat")

    struct Failure: Error, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }

    /// Opens the pool in `dataDirectory`, creating and mounting its image when needed.
    /// - Throws: ``Failure`` naming what is missing (btrfs-progs, root for a loop mount).
    static func open(dataDirectory: String, sizeBytes: Int64) throws(Failure) -> BtrfsPool {
        let root = dataDirectory + "/pool"
        do {
            try PrivateFile.makeDirectory(root)
        } catch {
            throw Failure(reason: error.description)
        }
        guard FileManager.default.isExecutableFile(atPath: btrfs) else {
            throw Failure(reason: "--volume-pool needs btrfs-progs (apt-get install btrfs-progs)")
        }
        var image: String?
        if !isBtrfs(dataDirectory) {
            let file = dataDirectory + "/volume-pool.img"
            image = file
            if !isBtrfs(root) {
                if !FileManager.default.fileExists(atPath: file) {
                    guard (try? PrivateFile.create(file, mode: 0o600)) != nil, truncate(file, off_t(sizeBytes)) == 0 else {
                        throw Failure(reason: "cannot create the pool image \(file) of \(sizeBytes) bytes: \(String(cString: strerror(errno)))")
                    }
                    if case .failure(let failure) = SystemCommand.run(mkfs, ["-q", file]) {
                        try? FileManager.default.removeItem(atPath: file)
                        throw Failure(reason: "cannot make a btrfs filesystem in \(file): \(failure)")
                    }
                }
                if case .failure(let failure) = SystemCommand.run(mount, ["-o", "loop", file, root]) {
                    throw Failure(reason: "cannot loop-mount the pool image \(file) (needs root): \(failure)")
                }
                // A new filesystem's root is 0755; the volumes in it are the pods' data.
                chmod(root, 0o700)
            }
        }
        let pool = BtrfsPool(root: root, image: image, sizeBytes: sizeBytes)
        for directory in ["volumes", "snapshots", "copies", "incoming", "recovery"] {
            try? PrivateFile.makeDirectory("\(root)/\(directory)")
        }
        return pool
    }

    /// Unmounts a loop-mounted pool (lazily, should a straggler still hold a file).
    func close() {
        guard image != nil else { return }
        if case .failure = SystemCommand.run(Self.umount, [root]) { SystemCommand.run(Self.umount, ["-l", root]) }
    }

    /// Whether `path` is on btrfs, as `stat -f` reports its filesystem type.
    private static func isBtrfs(_ path: String) -> Bool {
        (try? SystemCommand.run(stat, ["-f", "-c", "%T", path]).get())?.trimmingCharacters(in: .whitespacesAndNewlines) == "btrfs"
    }

    // MARK: Paths

    func writable(_ volume: String, epoch: UInt64) -> String { "\(root)/volumes/\(volume)@e\(epoch)" }
    func snapshots(_ volume: String) -> String { "\(root)/snapshots/\(volume)" }
    func copies(_ volume: String) -> String { "\(root)/copies/\(volume)" }
    /// The read-only snapshot a copy holds under `copies/<pv>/<name>/`.
    func copy(_ volume: String, _ name: SnapshotName) -> String { "\(copies(volume))/\(name)/\(name)" }
    func incoming(_ volume: String) -> String { "\(root)/incoming/\(volume)" }
    var recoveryDirectory: String { "\(root)/recovery" }

    /// The snapshots (`e<E>g<G>`) in `directory`, oldest first.
    func snapshotNames(in directory: String) -> [SnapshotName] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).compactMap(SnapshotName.init).sorted()
    }

    /// The writable volumes here: volume name -> epochs.
    func writableVolumes() -> [String: [UInt64]] {
        var found: [String: [UInt64]] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/volumes")) ?? [] {
            guard let at = entry.lastIndex(of: "@"), entry[entry.index(after: at)...].hasPrefix("e"),
                  let epoch = UInt64(entry[entry.index(at, offsetBy: 2)...]) else { continue }
            found[String(entry[..<at]), default: []].append(epoch)
        }
        return found
    }

    // MARK: Subvolumes

    func createSubvolume(_ path: String) throws(Failure) {
        try btrfs(["subvolume", "create", path])
    }

    /// A snapshot of `source` at `destination`; read-only unless `writable`.
    func snapshot(_ source: String, to destination: String, writable: Bool = false) throws(Failure) {
        try btrfs(["subvolume", "snapshot"] + (writable ? [] : ["-r"]) + [source, destination])
    }

    func deleteSubvolume(_ path: String) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        SystemCommand.run(Self.btrfs, ["subvolume", "delete", path])
    }

    /// Deletes every subvolume directly under `directory`.
    func deleteAll(in directory: String, except keep: Set<String> = []) {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where !keep.contains(entry) {
            deleteSubvolume("\(directory)/\(entry)")
        }
    }

    /// Deletes the copies of `volume` held here, but `keep`.
    func deleteCopies(_ volume: String, except keep: SnapshotName? = nil) {
        let directory = copies(volume)
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where entry != keep?.description {
            deleteAll(in: "\(directory)/\(entry)")
            try? FileManager.default.removeItem(atPath: "\(directory)/\(entry)")
        }
    }

    func makeDirectory(_ path: String) {
        try? PrivateFile.makeDirectory(path)
    }

    private func btrfs(_ arguments: [String]) throws(Failure) {
        if case .failure(let failure) = SystemCommand.run(Self.btrfs, arguments) { throw Failure(reason: failure.reason) }
    }
}

/// A snapshot's name, `e<epoch>g<generation>`, ordered by epoch then generation.
struct SnapshotName: Hashable, Comparable, Sendable, CustomStringConvertible {
    let epoch: UInt64
    let generation: UInt64

    init(epoch: UInt64, generation: UInt64) {
        self.epoch = epoch
        self.generation = generation
    }

    init?(_ text: String) {
        guard text.first == "e", let g = text.firstIndex(of: "g"),
              let epoch = UInt64(text[text.index(after: text.startIndex) ..< g]),
              let generation = UInt64(text[text.index(after: g)...]) else { return nil }
        self.init(epoch: epoch, generation: generation)
    }

    var description: String { "e\(epoch)g\(generation)" }

    static func < (a: SnapshotName, b: SnapshotName) -> Bool { (a.epoch, a.generation) < (b.epoch, b.generation) }
}
