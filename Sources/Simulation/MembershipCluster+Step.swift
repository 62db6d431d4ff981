import Basics
import Membership

extension MembershipCluster {
    mutating func apply(_ pending: Pending) {
        steps += 1
        switch pending {
        case let .deliver(envelope, index):
            guard !nodes[index].isCrashed else { return }
            step(index, .received(envelope, now: now))
        case let .tick(index):
            guard !nodes[index].isCrashed, nodes[index].tickAt == now else { return }
            nodes[index].tickAt = nil
            step(index, .tick(now: now))
        case let .join(index, seeds):
            guard !nodes[index].isCrashed else { return }
            trace.append("t=\(now) \(nodes[index].id) join seeds=\(seeds.count)")
            step(index, .join(seeds: seeds, now: now))
        case let .leave(index):
            guard !nodes[index].isCrashed else { return }
            trace.append("t=\(now) \(nodes[index].id) leave")
            stats.leftAt[nodes[index].id] = now
            step(index, .leave(now: now))
        case let .crash(index):
            guard !nodes[index].isCrashed else { return }
            nodes[index].isCrashed = true
            nodes[index].tickAt = nil
            network.crash(nodes[index].id)
            stats.crashedAt[nodes[index].id] = now
            trace.append("t=\(now) \(nodes[index].id) CRASH")
        case let .restart(index, seeds):
            guard nodes[index].isCrashed else { return }
            let node = nodes[index]
            nodes[index].instance = Membership.Instance(
                id: node.id,
                address: node.address,
                metadata: [:],
                settings: settings,
                seed: faultStream.next()
            )
            nodes[index].isCrashed = false
            goneAt[index] = [:]
            network.restore(node.id)
            stats.crashedAt[node.id] = nil
            stats.restartedAt[node.id] = now
            trace.append("t=\(now) \(node.id) RESTART")
            step(index, .join(seeds: seeds, now: now))
        }
    }

    /// Feeds one event to a node and carries out its directives in order.
    mutating func step(_ index: Int, _ event: Membership.Event) {
        let directives = nodes[index].instance.handle(event)
        let source = nodes[index].id
        var ticks = 0
        for (position, directive) in directives.enumerated() {
            switch directive {
            case let .send(envelope, address):
                send(envelope, from: source, to: address)
            case let .scheduleTick(deadline):
                ticks += 1
                if position != directives.count - 1 {
                    violations.append("t=\(now) \(source): scheduleTick is not the last directive")
                }
                schedule(index, at: deadline)
            case let .memberChanged(change):
                observe(change, by: index)
            }
        }
        if ticks != 1 {
            violations.append("t=\(now) \(source): \(ticks) scheduleTick directives")
        }
        if nodes[index].instance.me.status == .dead || nodes[index].instance.me.status == .suspect {
            violations.append("t=\(now) \(source) sees itself \(nodes[index].instance.me.status)")
        }
    }

    mutating func schedule(_ index: Int, at deadline: Instant) {
        let time = max(deadline, now)
        guard nodes[index].tickAt != time else { return }
        nodes[index].tickAt = time
        queue.push(.tick(index), at: time)
    }

    mutating func send(_ envelope: Membership.Envelope, from source: NodeID, to address: Endpoint) {
        guard let destination = indexByAddress[address] else {
            trace.append("t=\(now) \(source)->\(address) \(SimTrace.describe(envelope)) DROP unknown-address")
            return
        }
        let target = nodes[destination].id
        switch network.route(from: source, to: target) {
        case let .deliver(delay):
            stats.messages += 1
            trace.append("t=\(now) \(source)->\(target) \(SimTrace.describe(envelope))")
            queue.push(.deliver(envelope, to: destination), at: now + delay)
        case let .drop(reason):
            stats.dropped += 1
            trace.append("t=\(now) \(source)->\(target) \(SimTrace.describe(envelope)) DROP \(reason)")
        }
    }

    /// Records a change for the statistics and checks the membership invariants: nobody
    /// sees itself dead, and a member seen dead or left never comes back alive or suspect
    /// at the same (or an older) incarnation.
    mutating func observe(_ change: Membership.MemberChange, by index: Int) {
        let observer = nodes[index].id
        let subject = change.member
        if tracesChanges {
            let before = change.previous.map(\.rawValue) ?? "new"
            trace.append("t=\(now) \(observer): \(subject.id) \(before)->\(subject.status) inc=\(subject.incarnation)")
        }
        if subject.id == observer, subject.status == .dead {
            violations.append("t=\(now) \(observer) sees itself dead")
        }
        switch subject.status {
        case .dead, .left:
            goneAt[index][subject.id] = max(goneAt[index][subject.id] ?? 0, subject.incarnation)
            if subject.status == .dead {
                stats.recordDead(subject.id, by: observer, at: now)
                if stats.crashedAt[subject.id] == nil, stats.leftAt[subject.id] == nil,
                   stats.restartedAt[subject.id] == nil
                {
                    stats.falseDeaths.append("t=\(now) \(observer) declared live \(subject.id) dead")
                }
            } else {
                stats.recordLeft(subject.id, by: observer, at: now)
            }
        case .suspect:
            if stats.firstSuspectedAt[subject.id] == nil { stats.firstSuspectedAt[subject.id] = now }
            fallthrough
        case .alive:
            if let gone = goneAt[index][subject.id], subject.incarnation <= gone {
                violations.append(
                    "t=\(now) \(observer): \(subject.id) revived as \(subject.status) at incarnation \(subject.incarnation) after gone at \(gone)"
                )
            }
        }
    }
}

/// What the tests measure.
package struct MembershipSimStats: Sendable {
    package var messages = 0
    package var dropped = 0
    package var crashedAt: [NodeID: Instant] = [:]
    package var leftAt: [NodeID: Instant] = [:]
    package var restartedAt: [NodeID: Instant] = [:]
    package var firstSuspectedAt: [NodeID: Instant] = [:]
    /// Per subject: when each observer first saw it dead.
    package var deadSeenBy: [NodeID: [NodeID: Instant]] = [:]
    package var leftSeenBy: [NodeID: [NodeID: Instant]] = [:]
    package var falseDeaths: [String] = []

    mutating func recordDead(_ subject: NodeID, by observer: NodeID, at time: Instant) {
        if deadSeenBy[subject, default: [:]][observer] == nil { deadSeenBy[subject, default: [:]][observer] = time }
    }

    mutating func recordLeft(_ subject: NodeID, by observer: NodeID, at time: Instant) {
        if leftSeenBy[subject, default: [:]][observer] == nil { leftSeenBy[subject, default: [:]][observer] = time }
    }
}
