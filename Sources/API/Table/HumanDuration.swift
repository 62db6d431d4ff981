package import ClusterState

/// Go's `k8s.io/apimachinery/pkg/util/duration.HumanDuration`, which kubectl and the API
/// server use for every AGE cell: `45s`, `3m12s`, `17m`, `5h3m`, `2d4h`, `40d`, `3y120d`.
/// About 2–3 significant figures; up to one second in the future reads `0s` (clock skew),
/// further is `<invalid>`.
package enum HumanDuration {
    /// - Parameter seconds: the elapsed whole seconds (negative when the moment is ahead).
    package static func text(seconds: Int64) -> String {
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 120 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 {
            return seconds % 60 == 0 ? "\(minutes)m" : "\(minutes)m\(seconds % 60)s"
        }
        if minutes < 180 { return "\(minutes)m" }
        let hours = seconds / 3600
        if hours < 8 {
            return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h\(minutes % 60)m"
        }
        if hours < 48 { return "\(hours)h" }
        let days = hours / 24
        if hours < 24 * 8 {
            return hours % 24 == 0 ? "\(days)d" : "\(days)d\(hours % 24)h"
        }
        if hours < 24 * 365 * 2 { return "\(days)d" }
        if hours < 24 * 365 * 8 {
            return days % 365 == 0 ? "\(days / 365)y" : "\(days / 365)y\(days % 365)d"
        }
        return "\(days / 365)y"
    }

    /// The age of `time` at `now`, or `<unknown>` when the time is unset, as the printers say.
    package static func since(_ time: Timestamp?, now: Timestamp) -> String {
        guard let time else { return "<unknown>" }
        return text(seconds: now.seconds - time.seconds)
    }
}
