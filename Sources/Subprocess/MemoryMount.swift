import CSubprocess
import Glibc

/// `emptyDir` volumes with `medium: Memory`: a tmpfs mounted on the volume's directory, as the
/// kubelet mounts one, and unmounted when the pod's directory is removed (`statfs(2)`, which
/// Swift's Glibc module does not carry, through the C shim).
package enum MemoryMount {
    /// Whether a tmpfs is mounted at `path`.
    package static func isTmpfs(_ path: String) -> Bool {
        subprocess_is_tmpfs(path) == 1
    }

    /// Mounts a tmpfs of at most `sizeBytes` (nil: the kernel's default, half the memory) at
    /// `path`, an existing directory, unless one is there already.
    /// - Returns: nil on success, else what `mount(2)` said.
    package static func mount(at path: String, sizeBytes: Int64?) -> String? {
        guard !isTmpfs(path) else { return nil }
        let options = "mode=0777" + (sizeBytes.map { ",size=\($0)" } ?? "")
        guard Glibc.mount("tmpfs", path, "tmpfs", UInt(MS_NOSUID | MS_NODEV), options) == 0 else {
            return String(cString: strerror(errno))
        }
        return nil
    }

    /// Unmounts the tmpfs at `path` (lazily: a process still in it keeps it until it leaves).
    package static func unmount(_ path: String) {
        if isTmpfs(path) { _ = umount2(path, Int32(MNT_DETACH)) }
    }
}
