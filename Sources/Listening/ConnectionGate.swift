package import Basics
package import Logging
package import NIOCore
import Synchronization

/// Admits a listener's connections within a ``ConnectionQuota``: one past a cap is closed as
/// it is accepted, counted by `refused` and logged at most once per source address a minute
/// (the table of when each source was last logged is itself bounded).
package final class ConnectionGate: Sendable {
    private let quota: Mutex<ConnectionQuota>
    private let budget: DescriptorBudget
    private let warnings = RateLimitedLog()
    private let listener: String
    private let logger: Logger
    private let refused: @Sendable (ConnectionQuota.Refusal) -> Void

    /// - Parameters:
    ///   - listener: what the log says was refused (`api`, `dns`).
    ///   - budget: the descriptors every listener of the process shares.
    ///   - refused: counts a refusal (a metric).
    package init(listener: String, quota: ConnectionQuota, budget: DescriptorBudget, logger: Logger, refused: @escaping @Sendable (ConnectionQuota.Refusal) -> Void) {
        self.listener = listener
        self.quota = Mutex(quota)
        self.budget = budget
        self.logger = logger
        self.refused = refused
    }

    /// Connections held now.
    package var held: Int { quota.withLock { $0.total } }

    /// Admits `channel` and releases its slot when it closes, or closes it at once.
    /// - Returns: whether it was admitted.
    package func admit(_ channel: any Channel) -> Bool {
        let source = channel.remoteAddress?.ipAddress ?? "unknown"
        guard let refusal = admit(source) else {
            channel.closeFuture.whenComplete { _ in
                self.quota.withLock { $0.release(source) }
                self.budget.give()
            }
            return true
        }
        channel.close(promise: nil)
        refused(refusal)
        if warnings.shouldLog(source) {
            logger.warning("refused connection", metadata: ["listener": "\(listener)", "remote": "\(source)", "reason": "\(refusal)"])
        }
        return false
    }
}

extension ConnectionGate {
    /// Counts a connection from `source` against the listener's caps, then the budget.
    private func admit(_ source: String) -> ConnectionQuota.Refusal? {
        if let refusal = quota.withLock({ $0.admit(source) }) { return refusal }
        guard budget.take() else {
            quota.withLock { $0.release(source) }
            return .descriptors(allowed: budget.allowed)
        }
        return nil
    }
}

/// Why a child channel was not set up: a cap refused it (it is already closed).
package struct ConnectionRefused: Error {
    package init() {}
}
