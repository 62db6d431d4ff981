import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The descriptors all listeners together may hold: the process's soft limit, read at each
/// admission (an operator may lower it with `prlimit` while the agent runs), less a reserve
/// the agent keeps for itself.
///
/// Running out of descriptors is not survivable in every library: libdispatch, under Swift's
/// concurrency runtime, reads `/proc/<tid>/stat` every second while work is queued and traps
/// ("workq: registered worker exited prematurely") when that `open` fails. So no client may
/// take the last descriptors: connections past `limit - reserve` are refused like those past
/// a listener's cap, and the agent's own files, pipes and dials find descriptors free.
package final class DescriptorBudget: Sendable {
    private let held = Atomic<Int>(0)
    private let reserve: Int
    private let limit: @Sendable () -> Int

    /// - Parameters:
    ///   - reserve: descriptors never given to connections.
    ///   - limit: the process's descriptor limit (by default the soft `RLIMIT_NOFILE`).
    package init(reserve: Int, limit: @escaping @Sendable () -> Int = DescriptorBudget.softLimit) {
        self.reserve = reserve
        self.limit = limit
    }

    /// Connections held now by every listener sharing this budget.
    package var connections: Int { held.load(ordering: .relaxed) }

    /// The connections the budget allows at the current limit.
    package var allowed: Int { max(0, limit() - reserve) }

    /// Takes one descriptor for a connection when the budget allows it.
    package func take() -> Bool {
        let allowed = allowed
        while true {
            let current = held.load(ordering: .relaxed)
            guard current < allowed else { return false }
            if held.compareExchange(expected: current, desired: current + 1, ordering: .relaxed).exchanged { return true }
        }
    }

    /// Gives back what ``take()`` took.
    package func give() {
        held.subtract(1, ordering: .relaxed)
    }

    /// Raises the soft descriptor limit to the hard one, as Go's runtime does at start.
    /// - Returns: the soft limit in force afterwards.
    @discardableResult
    package static func raiseSoftLimit() -> Int {
        var limits = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limits) == 0, limits.rlim_cur < limits.rlim_max {
            limits.rlim_cur = limits.rlim_max
            _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limits)
        }
        return softLimit()
    }

    /// The soft descriptor limit in force.
    @Sendable package static func softLimit() -> Int {
        var limits = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limits) == 0 else { return 1_024 }
        return limits.rlim_cur >= rlim_t(Int.max) ? Int.max : Int(limits.rlim_cur)
    }

    /// Descriptors open now (the entries of `/proc/self/fd`, less the one reading it).
    package static func openDescriptors() -> Int {
        guard let directory = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(directory) }
        var count = 0
        while readdir(directory) != nil { count += 1 }
        return max(0, count - 3)  // ".", ".." and the directory's own descriptor
    }
}
