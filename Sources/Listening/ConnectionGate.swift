package import Basics
package import Logging
package import NIOCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Admits a listener's connections within a ``ConnectionQuota`` and the process's
/// ``DescriptorBudget``: one past a cap is closed as it is accepted, or, when the listener is
/// full and another address holds more than its share, that address's oldest connection is
/// closed to make room. Every refusal and eviction is counted by `refused` and logged at most
/// once per source address a minute. The addresses it would refuse are also turned away by
/// the kernel before they are accepted (``ListenerSourceFilter``), so a client that reopens
/// what is refused stops costing the agent an accept and a reset each time.
package final class ConnectionGate: Sendable {
    private struct State {
        var quota: ConnectionQuota
        /// Admitted connections by source, oldest first: the ones eviction picks from.
        var channels: [String: [any Channel]] = [:]
        /// Whether the descriptor budget refused the last connection (until one closes).
        var outOfDescriptors = false
    }

    private let state: Mutex<State>
    private let budget: DescriptorBudget
    private let warnings = RateLimitedLog()
    private let listener: String
    private let logger: Logger
    private let refused: @Sendable (ConnectionQuota.Refusal) -> Void
    private let evicted: @Sendable () -> Void
    /// Turns away, in the kernel, the addresses this gate would refuse.
    private let filter: ListenerSourceFilter

    /// - Parameters:
    ///   - listener: what the log says was refused (`api`, `dns`).
    ///   - budget: the descriptors every listener of the process shares.
    ///   - refused: counts a refusal (a metric).
    ///   - evicted: counts a connection closed to make room for another address's.
    ///   - blocked: told how many addresses the kernel turns away (a gauge).
    package init(
        listener: String, quota: ConnectionQuota, budget: DescriptorBudget, logger: Logger,
        refused: @escaping @Sendable (ConnectionQuota.Refusal) -> Void, evicted: @escaping @Sendable () -> Void,
        blocked: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        self.listener = listener
        self.state = Mutex(State(quota: quota))
        self.budget = budget
        self.logger = logger
        self.refused = refused
        self.evicted = evicted
        filter = ListenerSourceFilter(listener: listener, logger: logger, report: blocked)
    }

    /// Addresses whose connections the kernel turns away now.
    package var blockedSources: Int { filter.blocked }

    /// Connections held now.
    package var held: Int { state.withLock { $0.quota.total } }

    /// Admits `channel` and releases its slot when it closes, or closes it at once.
    /// - Returns: whether it was admitted.
    package func admit(_ channel: any Channel) -> Bool {
        let source = channel.remoteAddress?.ipAddress ?? "unknown"
        let tookDescriptor = budget.take()
        let outcome = state.withLock { state -> (admission: ConnectionQuota.Admission, victim: (any Channel)?, refusing: Set<String>) in
            let admission = state.quota.admit(source, outsideLimit: tookDescriptor ? nil : .descriptors(allowed: budget.allowed))
            state.outOfDescriptors = !tookDescriptor
            var victim: (any Channel)?
            switch admission {
            case .admitted:
                state.channels[source, default: []].append(channel)
            case .admittedEvicting(let busiest):
                victim = state.channels[busiest]?.first
                state.channels[busiest]?.removeFirst()
                if state.channels[busiest]?.isEmpty == true { state.channels[busiest] = nil }
                state.channels[source, default: []].append(channel)
            case .refused:
                break
            }
            return (admission, victim, state.quota.refusedSources(outsideLimitReached: state.outOfDescriptors))
        }
        filter.block(outcome.refusing, acceptedOn: channel)
        switch outcome.admission {
        case .refused(let refusal):
            if tookDescriptor { budget.give() }
            Self.reset(channel)
            refused(refusal)
            if warnings.shouldLog(source) {
                logger.warning("refused connection", metadata: ["listener": "\(listener)", "remote": "\(source)", "reason": "\(refusal)"])
            }
            return false
        case .admittedEvicting(let busiest):
            // The victim's slot and descriptor pass to the newcomer.
            if tookDescriptor { budget.give() }
            outcome.victim.map(Self.reset)
            evicted()
            if warnings.shouldLog(busiest) {
                logger.warning("closed a connection to make room for another address", metadata: ["listener": "\(listener)", "remote": "\(busiest)"])
            }
        case .admitted:
            break
        }
        channel.closeFuture.whenComplete { _ in self.release(channel, from: source) }
        return true
    }

    /// Closes with a reset (`SO_LINGER` 0), not a FIN: a refused or evicted connection leaves
    /// no `TIME_WAIT` socket behind, which a client reopening thousands a second would
    /// otherwise pile up in the kernel.
    private static func reset(_ channel: any Channel) {
        guard let socket = channel as? any SocketOptionProvider else {
            channel.close(promise: nil)
            return
        }
        socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
    }

    /// Forgets a closed connection unless it was evicted (its slot went to another).
    private func release(_ channel: any Channel, from source: String) {
        let refusing = state.withLock { state -> Set<String>? in
            guard let index = state.channels[source]?.firstIndex(where: { $0 === channel }) else { return nil }
            state.channels[source]?.remove(at: index)
            if state.channels[source]?.isEmpty == true { state.channels[source] = nil }
            state.quota.release(source)
            state.outOfDescriptors = false
            return state.quota.refusedSources()
        }
        guard let refusing else { return }
        budget.give()
        filter.block(refusing, acceptedOn: channel)
    }
}

/// Why a child channel was not set up: a cap refused it (it is already closed).
package struct ConnectionRefused: Error {
    package init() {}
}
