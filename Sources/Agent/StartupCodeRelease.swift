import Foundation
import Glibc
import Logging
import ServiceLifecycle

/// Gives the executable's code pages back once the agent has settled, so an idle agent
/// keeps mapped only the code it still runs.
///
/// Starting runs code that never runs again (flag parsing, database verification, schema
/// setup, router construction), and the kernel maps a whole 64 KiB window around every code
/// page it faults in, so two-thirds of the 40 MiB text segment end up resident. Telling the
/// kernel `MADV_DONTNEED` for the private, read-only text mapping only drops this process's
/// page-table entries: the pages stay in the page cache (shared with the other agents,
/// reclaimable), and code that runs later faults its pages back in from there as minor
/// faults. Nothing is written, and nothing can be lost: only mappings with no private
/// (copied-on-write) page are released, so a text page a debugger patched, or a text
/// relocation, is never thrown away.
struct StartupCodeRelease: Service {
    /// How long after the start; by then the agent has joined and the cluster has a leader.
    let delay: Duration
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
        guard !Task.isCancelled, !Task.isShuttingDownGracefully else { return }
        let released = Self.releaseExecutableText()
        logger.debug("released startup code pages", metadata: ["memory.text-bytes": "\(released)"])
    }

    /// Drops this process's mappings of its own code pages; returns the bytes covered.
    static func releaseExecutableText() -> Int {
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
              // Read to its end: String(contentsOfFile:) stops at 4 KiB of a /proc file.
              let data = FileHandle(forReadingAtPath: "/proc/self/smaps")?.readDataToEndOfFile() else { return 0 }
        let smaps = String(decoding: data, as: UTF8.self)
        var released = 0
        for range in codeRanges(smaps: smaps, executable: executable) {
            guard let start = UnsafeMutableRawPointer(bitPattern: range.lowerBound) else { continue }
            let length = Int(range.upperBound - range.lowerBound)
            if madvise(start, length, MADV_DONTNEED) == 0 { released += length }
        }
        return released
    }

    /// The address ranges `/proc/self/smaps` lists as executable, private mappings of
    /// `executable` (also when the file was replaced since: the kernel then adds " (deleted)")
    /// that hold no anonymous page, i.e. are exactly the file's contents. (Releasing the
    /// read-only data as well was measured to save nothing: its pages are used again at once.)
    static func codeRanges(smaps: String, executable: String) -> [Range<UInt>] {
        var ranges: [Range<UInt>] = []
        var current: Range<UInt>?
        var clean = false
        func finish() {
            if let range = current, clean { ranges.append(range) }
            current = nil
        }
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            if let first = fields.first, first.contains("-"), fields.count >= 5 {
                finish()
                guard fields.count == 6, fields[1] == "r-xp" else { continue }
                let path = fields[5].trimmingCharacters(in: .whitespaces)
                guard path == executable || path == executable + " (deleted)" else { continue }
                let bounds = first.split(separator: "-").compactMap { UInt($0, radix: 16) }
                guard bounds.count == 2, bounds[0] < bounds[1] else { continue }
                current = bounds[0] ..< bounds[1]
                clean = false
            } else if current != nil, fields.count >= 2, fields[0] == "Anonymous:" {
                clean = fields[1] == "0"
            }
        }
        finish()
        return ranges
    }
}
