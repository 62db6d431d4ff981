package import CoreMetrics
import Prometheus
import Synchronization

/// One agent's metrics: the shells record through swift-metrics types (`Counter`, `Meter`,
/// `Timer`), whose handlers live in a swift-prometheus registry that `/metrics` renders.
///
/// Each agent owns its registry instead of bootstrapping the process-wide `MetricsSystem`:
/// tests run several agents in one process, and every family is made here with its help
/// text, which `promtool check metrics` requires and swift-prometheus' factory does not pass.
package final class MetricsRegistry: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    /// Labelled series made on first use, so a family's label values need not be known up front.
    private let series = Mutex<[SeriesKey: AnyObject]>([:])

    private struct SeriesKey: Hashable {
        var name: String
        var labels: [String]
    }

    package init() {
        factory = PrometheusMetricsFactory(registry: registry)
    }

    /// A counter; names end in `_total` (Prometheus conventions).
    package func counter(_ name: String, help: String, labels: [(String, String)] = []) -> CoreMetrics.Counter {
        cached(name, labels) {
            CoreMetrics.Counter(label: name, dimensions: labels, handler: registry.makeCounter(name: name, labels: labels, help: help), factory: factory)
        }
    }

    /// A gauge (swift-metrics' `Meter`: a value that is set, or goes up and down).
    package func gauge(_ name: String, help: String, labels: [(String, String)] = []) -> CoreMetrics.Meter {
        cached(name, labels) {
            CoreMetrics.Meter(label: name, dimensions: labels, handler: registry.makeGauge(name: name, labels: labels, help: help), factory: factory)
        }
    }

    /// A duration histogram in seconds (names end in `_seconds`).
    package func timer(_ name: String, help: String, buckets: [Duration], labels: [(String, String)] = []) -> CoreMetrics.Timer {
        cached(name, labels) {
            let handler = registry.makeDurationHistogram(name: name, labels: labels, buckets: buckets, help: help)
            return CoreMetrics.Timer(label: name, dimensions: labels, handler: handler, factory: factory)
        }
    }

    /// Every series in the Prometheus text format (version 0.0.4).
    package func render() -> [UInt8] {
        registry.emitToBuffer()
    }

    /// The series of `name` with these labels, made once. A name always has one kind: the
    /// registry traps on a second kind, so a mistake shows on the first scrape in any test.
    private func cached<Metric: AnyObject>(_ name: String, _ labels: [(String, String)], make: () -> Metric) -> Metric {
        let key = SeriesKey(name: name, labels: labels.flatMap { [$0.0, $0.1] })
        return series.withLock { series in
            if let existing = series[key] as? Metric { return existing }
            let made = make()
            series[key] = made
            return made
        }
    }
}

extension MetricsRegistry {
    /// Buckets for work measured in milliseconds: commits, fsyncs, controller passes, API calls.
    package static let latencyBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(2.5), .seconds(5),
    ]
    /// Buckets for work measured in microseconds: DNS answers.
    package static let fastBuckets: [Duration] = [
        .microseconds(5), .microseconds(10), .microseconds(25), .microseconds(50), .microseconds(100), .microseconds(250),
        .microseconds(500), .milliseconds(1), .milliseconds(5), .milliseconds(25),
    ]
}

extension CoreMetrics.Timer {
    /// Records a `Duration` (swift-metrics' own overload lives in its `Metrics` module).
    package func record(elapsed: Duration) {
        let (seconds, attoseconds) = elapsed.components
        let (nanoseconds, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        recordNanoseconds(overflow ? .max : nanoseconds &+ attoseconds / 1_000_000_000)
    }

    /// Records the time since `start`.
    package func recordInterval(since start: ContinuousClock.Instant) {
        record(elapsed: ContinuousClock.now - start)
    }
}
