/// A replication lag as tables and `describe` show it: `0.8s`, `12s`, `3m5s`.
package enum ReplicationLag {
    package static func text(millis: Int64) -> String {
        if millis < 10_000 { return "\(millis / 1000).\((millis % 1000) / 100)s" }
        let seconds = millis / 1000
        return seconds < 60 ? "\(seconds)s" : "\(seconds / 60)m\(seconds % 60)s"
    }
}
