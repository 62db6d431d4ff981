import Basics

extension Membership {
    /// One member's SWIM + Lifeguard state machine: events in, directives out, no IO.
    ///
    /// The instance holds its own ``Basics/SplitMix64``, so copying it copies its future and a
    /// simulation replays exactly. It never iterates a `Set` or `Dictionary` where the order
    /// could leak into its output (Swift seeds hashing per process): member lists are kept
    /// sorted and random choices draw from them.
    ///
    /// Concerns live in extensions: probing (`Instance+Probe`), relaying indirect probes
    /// (`Instance+Relay`), merging claims and refuting (`Instance+Merge`), suspicion timers
    /// (`Instance+Suspicion`), piggybacked and dedicated gossip (`Instance+Gossip`),
    /// anti-entropy and joining (`Instance+PushPull`), leaving and reaping (`Instance+Leave`).
    package struct Instance: Sendable {
        package let id: NodeID
        package let address: Endpoint
        package let settings: Settings

        var rng: SplitMix64
        /// Every known member, self included, by id.
        var entries: [NodeID: Entry] = [:]
        /// The keys of ``entries``, sorted: the deterministic order for iteration and sampling.
        var sortedIDs: [NodeID] = []
        /// Members with a timer of their own: suspects (suspicion) and dead/left (reaping).
        var timedIDs: Set<NodeID> = []
        /// Forgotten dead/left members, kept so stale gossip cannot revive them at the same
        /// incarnation, and so a restarted member that contacts us learns it must refute.
        var tombstones: [NodeID: Member] = [:]

        var localHealthScore = 0
        /// What this member did so far, for the agent's metrics.
        package internal(set) var counters = Counters()
        var probeOrder: [NodeID] = []
        var probeCursor = 0
        var probe: Probe?
        var relays: [UInt64: Relay] = [:]
        var nextSequence: UInt64 = 1
        var broadcasts = BroadcastQueue()

        /// Where ``Event/join(seeds:now:)`` pointed; retried while no other member is known.
        var joinSeeds: [Endpoint] = []
        /// True from a join until some member answers a push-pull with its full state. Hearing
        /// of one member by gossip is not enough: a restarted agent would then learn the rest
        /// of the cluster only one update at a time.
        var awaitingJoinReply = false
        var isStarted = false
        var hasLeft = false
        var nextProbeAt: Instant?
        var nextGossipAt: Instant?
        var nextPushPullAt: Instant?

        /// - Parameters:
        ///   - metadata: MUST fit ``Settings/maxMetadataBytes`` (sum of key and value UTF-8
        ///     lengths); a larger one is a configuration error and traps.
        ///   - seed: drives every random choice (probe order, helpers, gossip targets).
        package init(id: NodeID, address: Endpoint, metadata: [String: String], settings: Settings, seed: UInt64) {
            let size = Self.metadataSize(metadata)
            precondition(
                size <= settings.maxMetadataBytes,
                "metadata of \(id) is \(size) bytes, more than maxMetadataBytes \(settings.maxMetadataBytes)"
            )
            self.id = id
            self.address = address
            self.settings = settings
            self.rng = SplitMix64(seed: seed)
            let me = Member(id: id, address: address, status: .alive, incarnation: 0, metadata: metadata)
            entries[id] = Entry(member: me, changedAt: .zero)
            sortedIDs = [id]
        }

        /// Feeds one event and returns what the shell must do, in order.
        ///
        /// - Returns: directives whose last element is always the single `.scheduleTick`
        ///   with the earliest deadline the instance holds.
        package mutating func handle(_ event: Event) -> [Directive] {
            var directives: [Directive] = []
            let now: Instant
            switch event {
            case let .join(seeds, at):
                now = at
                join(seeds: seeds, now: now, into: &directives)
            case let .tick(at):
                now = at
                tick(now: now, into: &directives)
            case let .received(envelope, at):
                now = at
                receive(envelope, now: now, into: &directives)
            case let .leave(at):
                now = at
                leave(now: now, into: &directives)
            case let .updateMetadata(metadata, at):
                now = at
                updateMetadata(metadata, now: now, into: &directives)
            }
            directives.append(.scheduleTick(at: nextDeadline(now: now)))
            return directives
        }

        // MARK: - Read accessors

        /// Every known member, self included, sorted by id. Reaped members are absent.
        package var members: [Member] {
            sortedIDs.compactMap { entries[$0]?.member }
        }

        package func member(_ id: NodeID) -> Member? {
            entries[id]?.member
        }

        /// This member as it announces itself.
        package var me: Member {
            entries[id]!.member
        }

        package var incarnation: UInt64 { me.incarnation }

        /// Lifeguard's local health score, `0 ..< maxLocalHealthMultiplier`; 0 is healthy.
        package var localHealth: Int { localHealthScore }

        /// The protocol period stretched by local health (Lifeguard IV.A).
        package var probeInterval: Duration {
            settings.probeInterval * (localHealthScore + 1)
        }

        /// The direct-probe timeout, stretched like ``probeInterval``.
        package var probeTimeout: Duration {
            settings.probeTimeout * (localHealthScore + 1)
        }

        /// Members that are neither dead nor left, self included: SWIM's `n`.
        package var liveCount: Int {
            var count = 0
            for entry in entries.values where !entry.member.status.isGone { count += 1 }
            return count
        }

        /// The suspicion deadline of a suspect, for tests and diagnostics.
        package func suspicionDeadline(of id: NodeID) -> Instant? {
            entries[id]?.suspicion?.deadline
        }

        // MARK: - Tick

        mutating func tick(now: Instant, into directives: inout [Directive]) {
            fireProbeDeadlines(now: now, into: &directives)
            if isStarted, !hasLeft, let due = nextProbeAt, due <= now {
                startProbe(now: now, into: &directives)
            }
            fireRelays(now: now, into: &directives)
            fireSuspicions(now: now, into: &directives)
            reap(now: now)
            if isStarted, let due = nextGossipAt, due <= now {
                gossipRound(now: now, into: &directives)
            }
            if isStarted, !hasLeft, let due = nextPushPullAt, due <= now {
                pushPullRound(now: now, into: &directives)
            }
        }

        /// The earliest instant at which something is due, never before `now`;
        /// `now + probeInterval` when idle.
        func nextDeadline(now: Instant) -> Instant {
            var earliest: Instant?
            func consider(_ candidate: Instant?) {
                guard let candidate else { return }
                if earliest == nil || candidate < earliest! { earliest = candidate }
            }
            if isStarted, !hasLeft { consider(nextProbeAt) }
            if let probe { consider(probe.indirectSent ? probe.periodEndsAt : probe.timeoutAt) }
            for relay in relays.values { consider(relay.nackAt) }
            for id in timedIDs {
                guard let entry = entries[id] else { continue }
                if let suspicion = entry.suspicion {
                    consider(suspicion.deadline)
                } else if entry.member.status.isGone {
                    consider(entry.changedAt + settings.gossipToTheDead * 2)
                }
            }
            if isStarted {
                // A gossip round with nothing to send is skipped, so an idle member does not
                // wake for it; news enqueued later is sent at the next tick.
                if !broadcasts.isEmpty { consider(nextGossipAt) }
                if !hasLeft { consider(nextPushPullAt) }
            }
            guard let earliest else { return now + settings.probeInterval }
            return max(earliest, now)  // overdue (the shell ticked late): tick at once
        }

        // MARK: - Helpers shared by the extensions

        /// Sum of key and value UTF-8 lengths, the measure ``Settings/maxMetadataBytes`` bounds.
        package static func metadataSize(_ metadata: [String: String]) -> Int {
            metadata.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        }

        mutating func takeSequence() -> UInt64 {
            defer { nextSequence += 1 }
            return nextSequence
        }

        /// Up to `count` distinct members other than self satisfying `eligible`, chosen
        /// uniformly with the held generator. Rejection-samples the sorted id list, falling
        /// back to filtering when few members qualify, so the cost stays O(count) typically.
        mutating func randomMembers(_ count: Int, where eligible: (Entry) -> Bool) -> [Member] {
            guard count > 0, sortedIDs.count > 1 else { return [] }
            var chosen: [Member] = []
            var chosenIDs: Set<NodeID> = []
            var attempts = 0
            while chosen.count < count, attempts < count * 4 {
                attempts += 1
                let candidate = sortedIDs[Int.random(in: 0..<sortedIDs.count, using: &rng)]
                guard candidate != id, !chosenIDs.contains(candidate),
                      let entry = entries[candidate], eligible(entry) else { continue }
                chosenIDs.insert(candidate)
                chosen.append(entry.member)
            }
            if chosen.count < count {
                var rest = sortedIDs.filter { candidate in
                    guard candidate != id, !chosenIDs.contains(candidate), let entry = entries[candidate] else {
                        return false
                    }
                    return eligible(entry)
                }
                rest.shuffle(using: &rng)
                for candidate in rest.prefix(count - chosen.count) {
                    chosen.append(entries[candidate]!.member)
                }
            }
            return chosen
        }
    }
}

extension Membership.Instance {
    /// A member as seen locally, with the local bookkeeping SWIM needs about it.
    struct Entry: Sendable {
        var member: Membership.Member
        /// When ``member``'s status last changed here: drives gossip-to-the-dead and reaping.
        var changedAt: Instant
        /// Present exactly while the member is suspect.
        var suspicion: Suspicion?
    }
}
