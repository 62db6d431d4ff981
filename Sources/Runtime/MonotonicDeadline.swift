import Basics
import Glibc

/// An absolute `CLOCK_MONOTONIC` time in nanoseconds.
///
/// The monotonic clock is shared by every process of a machine and never jumps with wall-clock
/// changes, so the agent can hand a deadline to a pod keeper process and both agree on when it
/// passes without exchanging anything else.
package struct MonotonicDeadline: Codable, Sendable, Hashable, Comparable {
    package var nanoseconds: UInt64

    package init(nanoseconds: UInt64) {
        self.nanoseconds = nanoseconds
    }

    /// The current reading of `CLOCK_MONOTONIC`.
    package static func now() -> MonotonicDeadline {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return MonotonicDeadline(nanoseconds: UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec))
    }

    /// Saturates at both ends instead of trapping.
    package func adding(_ duration: Duration) -> MonotonicDeadline {
        let delta = duration.nanoseconds
        if delta >= 0 {
            let (sum, overflow) = nanoseconds.addingReportingOverflow(UInt64(delta))
            return MonotonicDeadline(nanoseconds: overflow ? .max : sum)
        }
        let magnitude = delta.magnitude
        return MonotonicDeadline(nanoseconds: nanoseconds > magnitude ? nanoseconds - magnitude : 0)
    }

    /// How long from `earlier` to this deadline; zero when it is not later.
    package func duration(since earlier: MonotonicDeadline) -> Duration {
        nanoseconds > earlier.nanoseconds ? .nanoseconds(Int64(clamping: nanoseconds - earlier.nanoseconds)) : .zero
    }

    package static func < (lhs: MonotonicDeadline, rhs: MonotonicDeadline) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }
}
