import Foundation
import Glibc

/// A pipe whose two ends are close-on-exec, for the tools the agent runs (`ip`, `btrfs`).
///
/// Foundation's `Pipe` is not: a pod supervisor or another tool spawned by another thread
/// at the wrong instant inherits its write end, and the reader then never sees end-of-file
/// while that process lives (a `btrfs send` whose stream never ended hung a volume
/// transfer this way). The child gets its end through `dup2`, which clears the flag on the
/// copy; the parent closes its copy of the child's end once the child runs.
struct ClosingPipe {
    let read: FileHandle
    let write: FileHandle

    init() throws {
        var ends: [Int32] = [0, 0]
        guard systemPipe2(&ends, O_CLOEXEC) == 0 else {
            throw SystemCommand.Failure(reason: "pipe2: \(String(cString: strerror(errno)))")
        }
        read = FileHandle(fileDescriptor: ends[0], closeOnDealloc: true)
        write = FileHandle(fileDescriptor: ends[1], closeOnDealloc: true)
    }
}

/// glibc's `pipe2`, which Swift's Glibc module does not import; atomic, unlike `pipe` then
/// `fcntl`, which leaves a window for another thread's spawn.
@_silgen_name("pipe2")
private func systemPipe2(_ ends: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32
