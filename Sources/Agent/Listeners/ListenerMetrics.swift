import Basics
import CoreMetrics
import Telemetry

/// The series every listener's refusals and timeouts are counted in, one family each with
/// the listener as a label, so one dashboard query shows any port under attack.
enum ListenerMetrics {
    static func refused(_ registry: MetricsRegistry, listener: String, _ refusal: ConnectionQuota.Refusal) {
        let reason = switch refusal {
        case .full: "listener_full"
        case .sourceFull: "source_full"
        case .descriptors: "descriptors"
        }
        refusedCounter(registry, listener: listener, reason: reason).increment()
    }

    static func evicted(_ registry: MetricsRegistry, listener: String, by count: Int64 = 1) {
        registry.counter(
            "ordinal_listener_evicted_connections_total", help: "Connections closed to make room for an address holding fewer, by listener.",
            labels: [("listener", listener)]
        ).increment(by: count)
    }

    static func timedOut(_ registry: MetricsRegistry, listener: String, part: String) {
        registry.counter(
            "ordinal_listener_timeouts_total", help: "Connections closed because a request part did not arrive in time, by listener and part.",
            labels: [("listener", listener), ("part", part)]
        ).increment()
    }

    static func blocked(_ registry: MetricsRegistry, listener: String, _ count: Int) {
        registry.gauge(
            "ordinal_listener_blocked_sources", help: "Addresses whose connection attempts the kernel turns away before the accept (the listener would refuse them), by listener.",
            labels: [("listener", listener)]
        ).set(count)
    }

    static func acceptFailed(_ registry: MetricsRegistry, listener: String, reason: String) {
        acceptFailures(registry, listener: listener, reason: reason).increment()
    }

    /// The `EMFILE` series of each listener at zero, so an alert on it works before the first.
    static func prepareAcceptFailures(_ registry: MetricsRegistry, listener: String) {
        _ = acceptFailures(registry, listener: listener, reason: "EMFILE")
    }

    private static func acceptFailures(_ registry: MetricsRegistry, listener: String, reason: String) -> Counter {
        registry.counter(
            "ordinal_listener_accept_failures_total", help: "Failed accepts (out of descriptors or memory), after which the listener pauses a second, by listener and errno.",
            labels: [("listener", listener), ("reason", reason)]
        )
    }

    /// Makes the refusal series exist at zero, so a query over them works before any refusal.
    static func prepare(_ registry: MetricsRegistry, listener: String) {
        for reason in ["listener_full", "source_full", "descriptors"] { _ = refusedCounter(registry, listener: listener, reason: reason) }
        evicted(registry, listener: listener, by: 0)
        blocked(registry, listener: listener, 0)
    }

    private static func refusedCounter(_ registry: MetricsRegistry, listener: String, reason: String) -> Counter {
        registry.counter(
            "ordinal_listener_refused_connections_total", help: "Connections closed as they were accepted because a cap was reached, by listener and reason.",
            labels: [("listener", listener), ("reason", reason)]
        )
    }
}
