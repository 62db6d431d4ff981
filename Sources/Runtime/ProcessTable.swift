import Foundation

/// What `/proc` says about this machine's processes and totals: enough to add up a pod's CPU
/// time and resident memory over its process tree, as `kubectl top` shows them.
package struct ProcessTable: Sendable {
    package struct Entry: Sendable, Hashable {
        package var parent: Int32
        /// User and system CPU time, in clock ticks.
        package var cpuTicks: UInt64
        package var residentBytes: UInt64
    }

    package var entries: [Int32: Entry]

    /// Every process readable now (processes that exit while being read are skipped).
    package static func read() -> ProcessTable {
        let pageSize = UInt64(max(1, sysconf(Int32(_SC_PAGESIZE))))
        var entries: [Int32: Entry] = [:]
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for name in names {
            guard let pid = Int32(name), let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                  let entry = parse(stat: stat, pageSize: pageSize) else { continue }
            entries[pid] = entry
        }
        return ProcessTable(entries: entries)
    }

    /// Fields 4 (ppid), 14–15 (utime, stime) and 24 (rss pages) of `/proc/PID/stat`, counted
    /// after the command name, which is in parentheses and may hold spaces.
    package static func parse(stat: String, pageSize: UInt64) -> Entry? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is the state (field 3), so field N is fields[N - 3].
        guard fields.count > 21, let parent = Int32(fields[1]), let user = UInt64(fields[11]), let system = UInt64(fields[12]),
              let pages = Int64(fields[21]) else { return nil }
        let (ticks, overflow) = user.addingReportingOverflow(system)
        return Entry(parent: parent, cpuTicks: overflow ? .max : ticks, residentBytes: UInt64(max(0, pages)).multipliedReportingOverflow(by: pageSize).partialValue)
    }

    /// `root` and every process below it.
    package func tree(of root: Int32) -> [Int32] {
        var children: [Int32: [Int32]] = [:]
        for (pid, entry) in entries { children[entry.parent, default: []].append(pid) }
        var found: [Int32] = []
        var pending = entries[root] == nil ? [] : [root]
        while let pid = pending.popLast(), found.count < entries.count {
            found.append(pid)
            pending += children[pid] ?? []
        }
        return found
    }

    /// CPU ticks and resident bytes summed over `pids`.
    package func total(_ pids: [Int32]) -> (cpuTicks: UInt64, residentBytes: UInt64) {
        pids.reduce((0, 0)) { sum, pid in
            guard let entry = entries[pid] else { return sum }
            return (sum.0 &+ entry.cpuTicks, sum.1 &+ entry.residentBytes)
        }
    }

    /// Clock ticks per second (`_SC_CLK_TCK`).
    package static var ticksPerSecond: UInt64 { UInt64(max(1, sysconf(Int32(_SC_CLK_TCK)))) }

    /// The machine's busy CPU ticks (all but idle and iowait) and its total, from `/proc/stat`.
    package static func machineTicks() -> (busy: UInt64, total: UInt64)? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return nil }
        let values = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard values.count >= 5 else { return nil }
        let total = values.reduce(0, &+)
        return (total &- values[3] &- values[4], total)
    }

    /// MemTotal and MemAvailable of `/proc/meminfo`, in bytes.
    package static func machineMemory() -> (total: UInt64, available: UInt64)? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
        func value(_ key: String) -> UInt64? {
            text.split(separator: "\n").first { $0.hasPrefix(key + ":") }?
                .split(separator: " ").dropFirst().first.flatMap { UInt64($0) }.map { $0 * 1024 }
        }
        guard let total = value("MemTotal"), let available = value("MemAvailable") else { return nil }
        return (total, available)
    }
}
