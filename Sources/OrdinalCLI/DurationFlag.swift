/// A duration as the kubelet's and Ordinal's flags write it (`4s`, `2500ms`, `2m`, or plain
/// seconds): one parser for every such flag, so each refuses the same bad input alike.
enum DurationFlag {
    /// The duration, or nil for anything else, a negative value or one past a century (so no
    /// conversion overflows).
    static func parse(_ text: String) -> Duration? {
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("", 1)]
        guard let unit = units.first(where: { text.hasSuffix($0.suffix) }),
              let value = Double(text.dropLast(unit.suffix.count)), value.isFinite, value >= 0 else { return nil }
        let seconds = value * unit.seconds
        guard seconds <= 3_155_760_000 else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}
