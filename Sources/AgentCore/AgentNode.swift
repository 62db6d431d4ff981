import Basics
import Membership

/// One agent's cores, composed. A value type: copying it copies the agent's whole future,
/// which is what the simulation relies on.
package struct AgentNode: Sendable {
    package private(set) var membership: Membership.Instance

    /// - Parameters:
    ///   - seed: drives every random choice of the cores (probe order, gossip targets).
    package init(
        id: NodeID,
        address: Endpoint,
        metadata: [String: String],
        membershipSettings: Membership.Settings,
        seed: UInt64
    ) {
        var generator = SplitMix64(seed: seed)
        membership = Membership.Instance(
            id: id,
            address: address,
            metadata: metadata,
            settings: membershipSettings,
            seed: generator.next()
        )
    }

    package var id: NodeID { membership.id }

    /// Routes the event to the cores and translates their directives into effects.
    /// - Returns: effects in the order the shell must carry them out; exactly one
    ///   `.scheduleTick` (the earliest deadline of all cores), last.
    package mutating func handle(_ event: AgentEvent) -> [AgentEffect] {
        let directives: [Membership.Directive]
        switch event {
        case .start(let seeds, let now):
            directives = membership.handle(.join(seeds: seeds, now: now))
        case .tick(let now):
            directives = membership.handle(.tick(now: now))
        case .gossip(let envelope, let now):
            directives = membership.handle(.received(envelope, now: now))
        case .leave(let now):
            directives = membership.handle(.leave(now: now))
        }
        var effects: [AgentEffect] = []
        var nextTick: Instant?
        for directive in directives {
            switch directive {
            case .send(let envelope, let endpoint):
                effects.append(.sendGossip(envelope, to: endpoint))
            case .scheduleTick(let at):
                nextTick = min(nextTick ?? at, at)
            case .memberChanged(let change):
                effects.append(.memberChanged(change))
            }
        }
        if let nextTick {
            effects.append(.scheduleTick(at: nextTick))
        }
        return effects
    }
}
