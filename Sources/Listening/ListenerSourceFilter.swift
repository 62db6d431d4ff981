package import Logging
package import NIOCore
import Synchronization

/// Keeps a listening socket's ``SourceFilterProgram`` in step with the addresses its
/// ``ConnectionGate`` would refuse, so that a client reopening every connection the gate
/// refuses (thousands a second from one core) is turned away by the kernel instead of by an
/// accept, a close and a reset in the agent, which cost the agent's other clients their
/// latency.
///
/// Changes are applied at most every ``minimumInterval`` (the latest set wins), so an
/// address may be let through, or turned away, for that long after its standing changed:
/// either way it meets the gate, which decides. Only IPv4 listeners are filtered.
package final class ListenerSourceFilter: Sendable {
    package static let minimumInterval = TimeAmount.milliseconds(50)

    private enum Socket {
        case unknown, finding, found(Int32, ListeningSocket, any EventLoop), unfilterable
    }

    private struct State {
        var socket = Socket.unknown
        var wanted: Set<String> = []
        var applied: Set<String> = []
        var lastApplied = NIODeadline.uptimeNanoseconds(0)
        var scheduled = false
    }

    private let state = Mutex(State())
    private let listener: String
    private let logger: Logger
    private let report: @Sendable (Int) -> Void

    /// - Parameter report: told how many addresses are turned away after each change (a
    ///   gauge: the kernel counts none of the attempts it drops).
    package init(listener: String, logger: Logger, report: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.listener = listener
        self.logger = logger
        self.report = report
    }

    /// Addresses turned away by the kernel now.
    package var blocked: Int { state.withLock { $0.applied.count } }

    /// Asks for `sources` to be turned away from the listening socket `channel` was
    /// accepted on (found the first time; before that, without a channel, the set is only
    /// remembered).
    package func block(_ sources: Set<String>, acceptedOn channel: (any Channel)? = nil) {
        let now = NIODeadline.now()
        enum Step { case none, apply(Int32, ListeningSocket), schedule(TimeAmount, any EventLoop), find(any Channel) }
        let step: Step = state.withLock { state in
            let descriptor: Int32, address: ListeningSocket, eventLoop: any EventLoop
            switch state.socket {
            case .unfilterable, .finding:
                state.wanted = sources
                return .none
            case .unknown:
                state.wanted = sources
                guard let channel else { return .none }
                state.socket = .finding
                return .find(channel)
            case .found(let found, let bound, let loop): (descriptor, address, eventLoop) = (found, bound, loop)
            }
            guard sources != state.wanted else { return .none }
            state.wanted = sources
            if state.scheduled { return .none }
            let due = state.lastApplied + Self.minimumInterval
            guard now >= due else {
                state.scheduled = true
                return .schedule(due - now, eventLoop)
            }
            return .apply(descriptor, address)
        }
        switch step {
        case .none: return
        case .apply(let descriptor, let address): apply(descriptor, boundTo: address)
        case .schedule(let delay, let eventLoop):
            eventLoop.scheduleTask(in: delay) { self.applyScheduled() }
        case .find(let channel):
            guard let address = channel.parent?.localAddress.flatMap(ListeningSocket.init), let found = address.descriptor() else {
                logger.info("connections past the caps are refused after the accept: the listening socket cannot be filtered", metadata: ["listener": "\(listener)"])
                state.withLock { $0.socket = .unfilterable }
                return
            }
            state.withLock { $0.socket = .found(found, address, channel.eventLoop) }
            apply(found, boundTo: address)
        }
    }

    private func applyScheduled() {
        let socket = state.withLock { state in
            state.scheduled = false
            return state.socket
        }
        if case .found(let descriptor, let address, _) = socket { apply(descriptor, boundTo: address) }
    }

    /// Filters the socket unless it is gone: a descriptor number the listener's socket no
    /// longer holds may be another socket's.
    private func apply(_ descriptor: Int32, boundTo address: ListeningSocket) {
        guard address.isHeld(by: descriptor) else { return }
        let (sources, changed): (Set<String>, Bool) = state.withLock { state in
            state.lastApplied = .now()
            defer { state.applied = state.wanted }
            return (state.wanted, state.wanted != state.applied)
        }
        guard changed else { return }
        let error = SourceFilterProgram(blocking: sources.compactMap(SourceFilterProgram.ipv4)).attach(to: descriptor)
        report(error == 0 ? sources.count : 0)
        if error != 0 {
            logger.warning("could not filter the listening socket; connections past the caps are refused after the accept", metadata: [
                "listener": "\(listener)", "errno": "\(error)",
            ])
            state.withLock { $0.socket = .unfilterable }
        }
    }
}
