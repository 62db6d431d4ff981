import Basics

/// Whether the agent's container runtime can run pods, decided as a kubelet decides it
/// (`pkg/kubelet/runtime.go`): the runtime's `Status` must report `RuntimeReady` and
/// `NetworkReady` true; a runtime that answers not ready, or refuses the connection, is a
/// problem at once, and one that stops answering (a call that times out under load) only
/// after ``downAfter`` without an answer, so a busy runtime does not flap the Node.
package struct RuntimeReadiness: Sendable {
    /// One status check's outcome.
    package enum Check: Sendable {
        /// The runtime answered with its conditions.
        case answered([Runtime_V1_RuntimeCondition])
        /// The call failed; `refused` when nothing answered at all (gRPC unavailable: no
        /// socket, or nothing listening on it), so waiting would not help.
        case failed(CRIError, refused: Bool)
    }

    /// The kubelet's `maxWaitForContainerRuntime`.
    package static let downAfter = Duration.seconds(30)

    private var lastAnswer: Instant?
    private var started: Instant?

    package init() {}

    /// The problem after `check` at `now`, in the kubelet's words; nil when the runtime is ready.
    package mutating func observe(_ check: Check, now: Instant) -> String? {
        if started == nil { started = now }
        switch check {
        case .answered(let conditions):
            lastAnswer = now
            return Self.problem(in: conditions)
        case .failed(let error, let refused):
            let since = lastAnswer ?? started ?? now
            guard refused || now >= since + Self.downAfter else { return nil }
            return "container runtime is down: \(error)"
        }
    }

    /// The kubelet's messages for conditions that are not true, joined as it joins them.
    static func problem(in conditions: [Runtime_V1_RuntimeCondition]) -> String? {
        var problems: [String] = []
        for (type, words) in [("RuntimeReady", "container runtime not ready"), ("NetworkReady", "container runtime network not ready")] {
            let condition = conditions.first { $0.type == type }
            guard condition?.status != true else { continue }
            let detail = condition.map { "\($0.type)=false reason:\($0.reason) message:\($0.message)" } ?? "\(type) missing"
            problems.append("\(words): \(detail)")
        }
        switch problems.count {
        case 0: return nil
        case 1: return problems[0]
        default: return "[" + problems.joined(separator: ", ") + "]"
        }
    }
}
