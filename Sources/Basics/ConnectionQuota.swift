/// How many connections a listener holds, in all and per source address, and which one to
/// give up when it is full.
///
/// A listener that takes every connection it is offered can be made to hold every descriptor
/// the process has (and each connection's buffers) by one client; one that caps only the
/// total can be filled by one client while every other waits. Both caps apply to every
/// source, loopback included: local agents dial from their own `--bind` address, so each is
/// a source of its own, and a local user is no more trusted than a remote one.
///
/// When the listener is full, a source holding fewer than ``guaranteedPerSource`` connections,
/// and fewer than the busiest source less one, still gets in: the busiest source's oldest
/// connection makes room (max-min fairness up to a small share, as a fair queue shares a
/// link). Attackers on many addresses then share the listener with every other client
/// instead of owning it; only as many attacking addresses as the listener has slots, each
/// holding one, can keep a newcomer out. Past its guaranteed share an address makes no room:
/// an attacker reconnecting what it lost is refused at the accept, the cheapest answer,
/// instead of closing another attacker's connection each time (a churn that costs the
/// server a connection's setup per attempt).
package struct ConnectionQuota: Sendable {
    /// Why a connection was refused.
    package enum Refusal: Sendable, Hashable, CustomStringConvertible {
        /// The listener holds `maxTotal` connections and no source holds more than its share.
        case full(limit: Int)
        /// The source holds `maxPerSource` connections.
        case sourceFull(limit: Int)
        /// The process has no descriptors to spare for another connection.
        case descriptors(allowed: Int)

        package var description: String {
            switch self {
            case .full(let limit): "the listener holds its limit of \(limit) connections, no address more than its share"
            case .sourceFull(let limit): "the address holds its limit of \(limit) connections"
            case .descriptors(let allowed): "the listeners hold the \(allowed) connections the descriptor limit leaves them"
            }
        }
    }

    /// What to do with a new connection.
    package enum Admission: Sendable, Hashable {
        /// Take it.
        case admitted
        /// Take it once one connection of `source` (the busiest) is closed to make room; the
        /// quota already counts that one as gone.
        case admittedEvicting(source: String)
        case refused(Refusal)
    }

    package let maxTotal: Int
    package let maxPerSource: Int
    /// Connections an address may take from busier ones when the listener is full.
    package let guaranteedPerSource: Int
    package private(set) var total = 0
    private var bySource: [String: Int] = [:]

    /// - Parameters: caps of at least 1 each (smaller values are raised to 1).
    package init(maxTotal: Int, maxPerSource: Int, guaranteedPerSource: Int = 4) {
        self.maxTotal = max(1, maxTotal)
        self.maxPerSource = max(1, maxPerSource)
        self.guaranteedPerSource = max(1, guaranteedPerSource)
    }

    /// Counts a connection from `source` when the caps allow it, making room when the
    /// listener is full (or a limit outside it is reached) and another source holds more
    /// than its share.
    /// - Parameter outsideLimit: set when a limit outside the quota is reached (the
    ///   descriptor budget): what to say when no room can be made.
    /// - Returns: what to do; for anything admitted, call ``release(_:)`` once it closes.
    package mutating func admit(_ source: String, outsideLimit: Refusal? = nil) -> Admission {
        let held = bySource[source, default: 0]
        if held >= maxPerSource { return .refused(.sourceFull(limit: maxPerSource)) }
        guard total >= maxTotal || outsideLimit != nil else {
            bySource[source] = held + 1
            total += 1
            return .admitted
        }
        // Full: room only for an address below its guaranteed share, at the expense of a
        // busier one (ties broken by address, so the choice does not depend on table order).
        guard held < guaranteedPerSource,
              let (busiest, count) = bySource.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }), count > held + 1 else {
            return .refused(outsideLimit ?? .full(limit: maxTotal))
        }
        bySource[busiest] = count - 1
        bySource[source] = held + 1
        return .admittedEvicting(source: busiest)
    }

    /// Forgets one admitted connection from `source`; releasing one never admitted is ignored.
    package mutating func release(_ source: String) {
        guard let held = bySource[source] else { return }
        if held <= 1 { bySource.removeValue(forKey: source) } else { bySource[source] = held - 1 }
        total -= 1
    }

    /// Connections held from `source`.
    package func held(by source: String) -> Int { bySource[source, default: 0] }

    /// The sources holding connections whose next one ``admit(_:outsideLimit:)`` would
    /// refuse now: those at ``maxPerSource``, and, while the listener is full (or
    /// `outsideLimitReached`), those at their guaranteed share or within one of the busiest.
    /// A listener can turn their connection attempts away before accepting them.
    package func refusedSources(outsideLimitReached: Bool = false) -> Set<String> {
        guard total >= maxTotal || outsideLimitReached else {
            return Set(bySource.lazy.filter { $0.value >= maxPerSource }.map(\.key))
        }
        let busiest = bySource.values.max() ?? 0
        return Set(bySource.lazy.filter { $0.value >= min(maxPerSource, guaranteedPerSource, busiest - 1) }.map(\.key))
    }
}
