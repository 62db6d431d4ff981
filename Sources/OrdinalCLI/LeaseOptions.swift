import Agent
import AgentCore
import ArgumentParser

/// Flags for pod leases (design §5).
struct LeaseOptions: ParsableArguments {
    @Option(help: "How long this agent may run its pods without renewing its lease with the leader, e.g. 4s or 2500ms. The leader moves pods off a dead agent one lease plus a margin after its last renewal.")
    var lease: String = "4s"

    func apply(to settings: inout AgentSettings) throws {
        guard let duration = Self.duration(lease), duration >= .milliseconds(500), duration <= .seconds(300) else {
            throw ValidationError("--lease \(lease): expected a duration between 500ms and 300s, such as 4s or 2500ms")
        }
        settings.core.lease = duration
    }

    /// `4s`, `2500ms`, `2m`, or plain seconds; nil for anything else, a negative value or
    /// one past a century (so no conversion overflows).
    static func duration(_ text: String) -> Duration? {
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("", 1)]
        guard let unit = units.first(where: { text.hasSuffix($0.suffix) }),
              let value = Double(text.dropLast(unit.suffix.count)), value.isFinite, value >= 0 else { return nil }
        let seconds = value * unit.seconds
        guard seconds <= 3_155_760_000 else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}
