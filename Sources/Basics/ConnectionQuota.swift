/// How many connections a listener holds, in all and per source address, and whether it may
/// take one more.
///
/// A listener that takes every connection it is offered can be made to hold every descriptor
/// the process has (and each connection's buffers) by one client; one that caps only the
/// total can be filled by one client while every other waits. Both caps apply to every
/// source, loopback included: local agents dial from their own `--bind` address, so each is
/// a source of its own, and a local user is no more trusted than a remote one.
package struct ConnectionQuota: Sendable {
    /// Why a connection was refused.
    package enum Refusal: Sendable, Hashable, CustomStringConvertible {
        /// The listener holds `maxTotal` connections.
        case full(limit: Int)
        /// The source holds `maxPerSource` connections.
        case sourceFull(limit: Int)
        /// The process has no descriptors to spare for another connection.
        case descriptors(allowed: Int)

        package var description: String {
            switch self {
            case .full(let limit): "the listener holds its limit of \(limit) connections"
            case .sourceFull(let limit): "the address holds its limit of \(limit) connections"
            case .descriptors(let allowed): "the listeners hold the \(allowed) connections the descriptor limit leaves them"
            }
        }
    }

    package let maxTotal: Int
    package let maxPerSource: Int
    package private(set) var total = 0
    private var bySource: [String: Int] = [:]

    /// - Parameters: caps of at least 1 each (smaller values are raised to 1).
    package init(maxTotal: Int, maxPerSource: Int) {
        self.maxTotal = max(1, maxTotal)
        self.maxPerSource = max(1, maxPerSource)
    }

    /// Counts a connection from `source` when both caps allow it.
    /// - Returns: nil when admitted (call ``release(_:)`` once it closes), else why not.
    package mutating func admit(_ source: String) -> Refusal? {
        if total >= maxTotal { return .full(limit: maxTotal) }
        let held = bySource[source, default: 0]
        if held >= maxPerSource { return .sourceFull(limit: maxPerSource) }
        bySource[source] = held + 1
        total += 1
        return nil
    }

    /// Forgets one admitted connection from `source`; releasing one never admitted is ignored.
    package mutating func release(_ source: String) {
        guard let held = bySource[source] else { return }
        if held <= 1 { bySource.removeValue(forKey: source) } else { bySource[source] = held - 1 }
        total -= 1
    }

    /// Connections held from `source`.
    package func held(by source: String) -> Int { bySource[source, default: 0] }
}
