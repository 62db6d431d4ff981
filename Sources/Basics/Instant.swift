/// A point on a monotonic timeline in nanoseconds since an arbitrary origin.
///
/// Cores never read a clock: the shell passes `now` in, taken from a real monotonic clock,
/// and the simulation passes virtual time. Both are plain integers, so traces replay exactly.
package struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
    package var nanoseconds: UInt64

    package init(nanoseconds: UInt64) {
        self.nanoseconds = nanoseconds
    }

    package static let zero = Instant(nanoseconds: 0)

    package static func < (lhs: Instant, rhs: Instant) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    /// Saturates at the ends of the timeline instead of trapping.
    package static func + (lhs: Instant, rhs: Duration) -> Instant {
        let delta = rhs.nanoseconds
        if delta >= 0 {
            let (sum, overflow) = lhs.nanoseconds.addingReportingOverflow(UInt64(delta))
            return Instant(nanoseconds: overflow ? .max : sum)
        }
        let magnitude = delta.magnitude
        return Instant(nanoseconds: lhs.nanoseconds > magnitude ? lhs.nanoseconds - magnitude : 0)
    }

    /// The signed distance from `rhs` to `lhs`.
    package static func - (lhs: Instant, rhs: Instant) -> Duration {
        if lhs >= rhs {
            return .nanoseconds(Int64(clamping: lhs.nanoseconds - rhs.nanoseconds))
        }
        return .nanoseconds(-Int64(clamping: rhs.nanoseconds - lhs.nanoseconds))
    }

    /// `t=1.250s`, the format of simulation traces.
    package var description: String {
        let millis = nanoseconds / 1_000_000
        let fraction = millis % 1000
        let padded = fraction < 10 ? "00\(fraction)" : fraction < 100 ? "0\(fraction)" : "\(fraction)"
        return "\(millis / 1000).\(padded)s"
    }
}

extension Duration {
    /// Whole nanoseconds, clamped to `Int64`; sub-nanosecond attoseconds are dropped.
    package var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflow2 ? (seconds < 0 ? .min : .max) : sum
    }

    /// Seconds as a floating-point number, for reports and logs.
    package var seconds: Double {
        Double(nanoseconds) / 1e9
    }

    /// Multiplies by a real factor, rounding to whole nanoseconds.
    package func scaled(by factor: Double) -> Duration {
        .nanoseconds(Int64((Double(nanoseconds) * factor).rounded()))
    }
}
