import Glibc
import Subprocess

/// Files and directories other users of the machine must not read — the keyring, a
/// kubeconfig or snapshot carrying the token, the data directory and what lies under it —
/// made with their final mode by the very call that creates them, and never widened after.
///
/// Setting a mode after creating the file (`FileManager.createFile(attributes:)` writes the
/// file 0644, then chmods it) leaves a moment in which another user can open it and keep
/// reading through that descriptor once the mode is narrowed; a directory made 0755 and then
/// narrowed can be listed in that moment. Here `open` and `mkdir` get the mode
/// themselves (the process's umask can only narrow it further).
package enum PrivateFile {
    /// A file or directory that could not be made, with the path and the system's reason.
    package struct Failure: Error, CustomStringConvertible {
        package let description: String

        init(_ operation: String, _ path: String, errno code: Int32 = errno) {
            description = "cannot \(operation) \(path): \(String(cString: strerror(code)))"
        }
    }

    /// Replaces the file at `path` with `bytes`, mode 0600 from its first moment: a new
    /// temporary file beside it (a random name opened `O_CREAT|O_EXCL` with 0600, as
    /// `mkostemp` does, so never a file someone else made or holds open), written, fsynced,
    /// renamed over `path`, and the directory fsynced. A crash leaves the old contents or
    /// the new, never a mix. A symlink at `path` is replaced, not followed.
    /// - Throws: ``Failure``; `path` then still holds what it held.
    package static func write(_ bytes: [UInt8], to path: String) throws(Failure) {
        let (descriptor, temporary) = try createTemporary(beside: path)
        do throws(Failure) {
            try writeAll(bytes, to: descriptor, path: temporary)
            guard fsync(descriptor) == 0 else { throw Failure("fsync", temporary) }
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        guard close(descriptor) == 0 else {
            let failure = Failure("close", temporary)
            unlink(temporary)
            throw failure
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw Failure("replace", path, errno: code)
        }
        try syncDirectory(of: path)
    }

    /// Creates an empty file at `path` with `mode` (`O_CREAT|O_EXCL`, not following a
    /// symlink) unless something is there already, which is left as it is.
    /// - Throws: ``Failure`` when there is nothing at `path` and it cannot be created.
    package static func create(_ path: String, mode: UInt32) throws(Failure) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        if descriptor >= 0 {
            close(descriptor)
        } else if errno != EEXIST {
            throw Failure("create", path)
        }
    }

    /// Creates the directory `path` with `mode`, and any missing parents 0700, each mode given
    /// to `mkdir` itself; directories that exist are left as they are.
    /// - Throws: ``Failure`` naming the component that could not be made.
    package static func makeDirectory(_ path: String, mode: UInt32 = 0o700) throws(Failure) {
        if FileKind.of(path) == .directory { return }
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            try makeDirectory(String(path[..<slash]), mode: 0o700)
        }
        guard mkdir(path, mode) == 0 || errno == EEXIST else { throw Failure("create directory", path) }
    }

    /// A new empty 0600 file named `<path>.tmp-<random>`, opened for writing.
    private static func createTemporary(beside path: String) throws(Failure) -> (Int32, String) {
        for _ in 0..<8 {
            let temporary = path + ".tmp-" + String(UInt64.random(in: 0 ... .max), radix: 36)
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if descriptor >= 0 { return (descriptor, temporary) }
            guard errno == EEXIST else { break }
        }
        throw Failure("create a temporary file for", path)
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure("write", path)
            }
            offset += written
        }
    }

    /// Makes the rename durable: the directory entry is on disk once this returns.
    private static func syncDirectory(of path: String) throws(Failure) {
        let directory = path.lastIndex(of: "/").map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure("open directory", directory) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw Failure("fsync directory", directory) }
    }
}
