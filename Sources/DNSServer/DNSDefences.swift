import Basics
import CoreMetrics
package import Listening
package import Logging
import NIOCore

/// What the DNS server's handlers share to bound their clients: the settings, the TCP
/// connections held in all and per address (a ``Listening/ConnectionGate`` on the process's
/// descriptor budget, which makes room for an address holding fewer than the busiest), and
/// the counting and rate-limited logging of every refusal and forced close.
package final class DNSDefences: Sendable {
    let settings: DNSServerSettings
    let metrics: DNSMetrics
    private let logger: Logger
    private let log = RateLimitedLog()
    private let gate: ConnectionGate

    /// - Parameter budget: the descriptors the process's listeners share (a process of its
    ///   own by default: tests and the fuzz target).
    package init(settings: DNSServerSettings, metrics: DNSMetrics, logger: Logger, budget: DescriptorBudget = DescriptorBudget(reserve: 0)) {
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
        gate = ConnectionGate(
            listener: "dns", quota: ConnectionQuota(maxTotal: settings.maxConnections, maxPerSource: settings.maxConnectionsPerSource),
            budget: budget, logger: logger,
            refused: { metrics.refusals[TCPRefusal($0)]?.increment() },
            evicted: { metrics.closures[.evicted]?.increment() },
            blocked: { metrics.blockedSources.set($0) }
        )
    }

    /// TCP connections held now.
    package var connections: Int { gate.held }

    /// Takes a slot for a connection just accepted, given back when it closes; false (the
    /// refusal counted and logged, the connection closed) when no room can be made.
    func admit(_ channel: any Channel) -> Bool {
        guard gate.admit(channel) else { return false }
        metrics.connections.set(gate.held)
        channel.closeFuture.whenComplete { _ in self.metrics.connections.set(self.gate.held) }
        return true
    }

    /// Counts and logs a connection the server closes for `reason`.
    func closed(_ channel: any Channel, reason: TCPClosure) {
        metrics.closures[reason]?.increment()
        note("dns connection closed", source: channel.remoteAddress?.ipAddress ?? "unknown", reason: reason.rawValue)
    }

    /// Counts and logs a UDP answer the rate limit dropped or slipped.
    func rateLimited(_ decision: RateLimitDecision, source: SocketAddress) {
        metrics.rateLimited[decision]?.increment()
        note("dns answers rate-limited", source: source.ipAddress ?? "unknown", reason: "rate")
    }

    private func note(_ message: Logger.Message, source: String, reason: String) {
        guard log.shouldLog(source) else { return }
        logger.warning(message, metadata: ["dns.source": "\(source)", "dns.reason": "\(reason)", "dns.log-interval": "60s per source"])
    }
}

extension TCPRefusal {
    init(_ refusal: ConnectionQuota.Refusal) {
        switch refusal {
        case .full: self = .connectionCap
        case .sourceFull: self = .sourceCap
        case .descriptors: self = .descriptors
        }
    }
}
