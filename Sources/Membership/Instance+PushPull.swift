import Basics

extension Membership.Instance {
    /// Starts the protocol timers (once) and sends a push-pull request to every seed.
    ///
    /// Seeds are addresses, not ids: who listens there is learned from the answer. A seed
    /// equal to our own address is skipped, so an agent may list itself among the seeds.
    /// The first probe and gossip round start at a random phase so that members started
    /// together do not probe in lockstep. Until a push-pull reply arrives, each protocol
    /// period asks the seeds again, since a lost push-pull would otherwise strand us.
    mutating func join(seeds: [Endpoint], now: Instant, into directives: inout [Membership.Directive]) {
        if !isStarted {
            isStarted = true
            nextProbeAt = now + settings.probeInterval.scaled(by: Double.random(in: 0..<1, using: &rng))
            nextGossipAt = now + settings.gossipInterval.scaled(by: Double.random(in: 0..<1, using: &rng))
            nextPushPullAt = now + settings.pushPullInterval.scaled(by: Double.random(in: 0.5..<1, using: &rng))
        }
        var seen: Set<Endpoint> = []
        joinSeeds = seeds.filter { $0 != address && seen.insert($0).inserted }
        awaitingJoinReply = !joinSeeds.isEmpty
        askSeeds(into: &directives)
    }

    /// Sends our state to every seed, asking for theirs.
    mutating func askSeeds(into directives: inout [Membership.Directive]) {
        for seed in joinSeeds {
            send(.pushPull(members: members, isReply: false), to: nil, at: seed, into: &directives)
        }
    }

    /// memberlist's periodic anti-entropy: full state with one random alive member, which
    /// answers with its own (`isReply: true`); both merge by the usual rules.
    mutating func pushPullRound(now: Instant, into directives: inout [Membership.Directive]) {
        nextPushPullAt = now + settings.pushPullInterval
        if let peer = randomMembers(1, where: { $0.member.status == .alive }).first {
            send(.pushPull(members: members, isReply: false), to: peer, into: &directives)
        }
        reconnect(into: &directives)
    }

    /// Serf's reconnect, once per push-pull round: a push-pull to one member we believe
    /// dead, and to one join seed where no alive member listens. Without it, two groups
    /// that declared each other dead during a partition (or agents that restarted inside
    /// one and met only their own side) never find each other again once it heals, since
    /// SWIM probes only the living. A member that is alive after all refutes its death on
    /// receipt; a seed that answers is merged as at join.
    mutating func reconnect(into directives: inout [Membership.Directive]) {
        if let failed = randomMembers(1, where: { $0.member.status == .dead }).first {
            send(.pushPull(members: members, isReply: false), to: failed, into: &directives)
        }
        guard !joinSeeds.isEmpty else { return }
        let alive = Set(members.filter { $0.status == .alive }.map(\.address))
        let unreached = joinSeeds.filter { !alive.contains($0) }
        guard !unreached.isEmpty else { return }
        let seed = unreached[Int.random(in: 0 ..< unreached.count, using: &rng)]
        send(.pushPull(members: members, isReply: false), to: nil, at: seed, into: &directives)
    }
}
