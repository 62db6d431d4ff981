import Foundation
import Runtime

/// A pipe whose two ends are close-on-exec, for the tools the agent runs (`ip`, `btrfs`).
///
/// Foundation's `Pipe` is not: a pod keeper or another tool spawned by another thread
/// at the wrong instant inherits its write end, and the reader then never sees end-of-file
/// while that process lives (a `btrfs send` whose stream never ended hung a volume
/// transfer this way). The child gets its end through `dup2`, which clears the flag on the
/// copy; the parent closes its copy of the child's end once the child runs.
struct ClosingPipe {
    let read: FileHandle
    let write: FileHandle

    init() throws {
        let ends: (read: Int32, write: Int32)
        do {
            ends = try Descriptors.pipe()
        } catch {
            throw SystemCommand.Failure(reason: "\(error)")
        }
        read = FileHandle(fileDescriptor: ends.read, closeOnDealloc: true)
        write = FileHandle(fileDescriptor: ends.write, closeOnDealloc: true)
    }
}
