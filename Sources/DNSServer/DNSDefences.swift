import CoreMetrics
package import Logging
import NIOCore
import Synchronization

/// What the DNS server's handlers share to bound their clients: the settings, the TCP
/// connections held in all and per address, and the counting and rate-limited logging of
/// every refusal and forced close.
package final class DNSDefences: Sendable {
    let settings: DNSServerSettings
    let metrics: DNSMetrics
    private let logger: Logger
    private let log: RefusalLog
    private let held = Mutex(Held())

    private struct Held {
        var total = 0
        /// Never more entries than ``total``: a source leaves at its last close.
        var bySource: [String: Int] = [:]
    }

    package init(settings: DNSServerSettings, metrics: DNSMetrics, logger: Logger) {
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
        log = RefusalLog()
    }

    /// TCP connections held now.
    package var connections: Int { held.withLock { $0.total } }

    /// Takes a slot for a connection just accepted, given back when it closes; false (the
    /// refusal counted and logged) when the total or its address's cap is reached.
    func admit(_ channel: any Channel) -> Bool {
        let source = channel.remoteAddress?.ipAddress ?? "unknown"
        let refusal: TCPRefusal? = held.withLock { held in
            if held.total >= settings.maxConnections { return .connectionCap }
            if held.bySource[source, default: 0] >= settings.maxConnectionsPerSource { return .sourceCap }
            held.total += 1
            held.bySource[source, default: 0] += 1
            metrics.connections.set(held.total)
            return nil
        }
        if let refusal {
            metrics.refusals[refusal]?.increment()
            note("dns connection refused", source: source, reason: refusal.rawValue)
            return false
        }
        channel.closeFuture.whenComplete { _ in self.release(source) }
        return true
    }

    private func release(_ source: String) {
        held.withLock { held in
            held.total -= 1
            if let count = held.bySource[source], count > 1 { held.bySource[source] = count - 1 } else { held.bySource[source] = nil }
            metrics.connections.set(held.total)
        }
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
        guard log.shouldLog(source: source) else { return }
        logger.warning(message, metadata: ["dns.source": "\(source)", "dns.reason": "\(reason)", "dns.log-interval": "60s per source"])
    }
}
