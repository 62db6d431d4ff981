import Basics
import Consensus
import Membership

/// One agent's cores, composed: SWIM membership, Raft, and the glue between them
/// (bootstrapping, voter upkeep from gossip, proposal tracking). A value type: copying it
/// copies the agent's whole future, which is what the simulation relies on.
package struct AgentNode: Sendable {
    package private(set) var membership: Membership.Instance
    package internal(set) var raft: RaftNode
    package let settings: AgentCoreSettings
    let raftSettings: Raft.Settings
    var generator: SplitMix64
    var nextRaftTick: Instant?
    var nextReview: Instant?
    var membershipDeadline: Instant?
    /// When gossip first reported each member dead; cleared when it is alive again.
    var deadSince: [NodeID: Instant] = [:]
    /// Proposals made here and not yet resolved, by log index.
    var pending: [UInt64: PendingProposal] = [:]
    var reportedLeader: (leader: NodeID?, term: UInt64) = (nil, 0)
    /// The bootstrap candidates seen at the previous review; bootstrapping waits until two
    /// reviews in a row agree, so agents that just met settle on one view first.
    var bootstrapCandidates: [NodeID] = []
    /// This agent's right to run its pods, and (on the leader) everyone's renewals.
    package internal(set) var lease: LeaseHolder
    package internal(set) var leaseBook: LeaseBook
    /// Lease requests (this agent's own included) waiting for one confirming Raft read.
    var leaseRequests: [(node: NodeID, sequence: UInt64)] = []
    /// Clients' proposals handed (or to be handed) to the leader, by proposal id, and the
    /// same by their wire id.
    var waiting: [UInt64: WaitingProposal] = [:]
    var waitingByWire: [UInt64: UInt64] = [:]
    /// The wire id of the next forwarded proposal; starts at random.
    var nextWireID: UInt64
    /// On the leader: the forwarded proposals its log holds, by proposer and id, as of
    /// `forwardedIndexTerm` (rebuilt from the log in a new term).
    var forwardedIndex: [ForwardKey: UInt64] = [:]
    var forwardedIndexTerm: UInt64 = 0
    /// The last tick, and when the agent last resumed after a pause (``noticePause(now:)``).
    var lastTick: Instant?
    var resumedAt: Instant?
    /// Bytes of the entries applied since the last snapshot (taken or installed).
    var bytesSinceSnapshot: UInt64 = 0
    /// A `.takeSnapshot` is out and its `.snapshotTaken` has not come back yet.
    var snapshotAsked = false
    /// The applied index of the last snapshot request.
    var lastSnapshotAttempt: UInt64 = 0
    /// The leader's controller pass and this agent's pod pass (``OwnWork``).
    var controllerWork = OwnWork()
    var podWork = OwnWork()
    var nextControllerPass: Instant?
    /// The lost agents the controller pass being computed was told of.
    var passLost: Set<NodeID> = []
    /// The lease the last pod pass was asked under: a renewal runs the pods again.
    var scheduledLease: (deadline: Instant?, readIndex: UInt64) = (nil, 0)
    var ownProposalCount: UInt64 = 0
    /// Clients' proposals in this batch that used the node's own ids, refused after the
    /// node settled its own.
    var refusedClientIDs: [UInt64] = []

    struct PendingProposal: Sendable {
        var id: UInt64
        var term: UInt64
    }

    /// - Parameters:
    ///   - raft: the Raft node restored from this agent's storage (empty on a new agent).
    ///   - seed: drives every random choice of the cores.
    /// Internal: the agent and the simulation build nodes through ``compose(id:address:metadata:storage:membership:raft:core:seed:)``.
    init(
        id: NodeID,
        address: Endpoint,
        metadata: [String: String],
        membershipSettings: Membership.Settings,
        raft: RaftNode,
        raftSettings: Raft.Settings,
        settings: AgentCoreSettings,
        seed: UInt64
    ) {
        var generator = SplitMix64(seed: seed)
        var published = metadata
        if let expect = settings.bootstrapExpect { published[MetadataKey.bootstrapExpect] = "\(expect)" }
        published[MetadataKey.raft] = Self.raftRole(of: id, in: raft)
        membership = Membership.Instance(
            id: id,
            address: address,
            metadata: published,
            settings: membershipSettings,
            seed: generator.next()
        )
        self.raft = raft
        self.raftSettings = raftSettings
        self.settings = settings
        nextWireID = generator.next()
        self.generator = generator
        lease = LeaseHolder(duration: settings.lease)
        leaseBook = LeaseBook(lease: settings.lease, margin: settings.leaseMargin)
    }

    package var id: NodeID { membership.id }

    /// Raft needs its clock only once a configuration exists; an agent that waits to be
    /// bootstrapped or added costs no Raft wake-ups.
    var isInConfiguration: Bool { !raft.conf.members.isEmpty }

    /// An agent this node takes Raft and lease traffic from: a member of the Raft
    /// configuration, or alive (or suspect) to gossip — a new learner hears from a leader
    /// its empty configuration does not name yet.
    func isKnownPeer(_ peer: NodeID) -> Bool {
        peer != id && (raft.conf.isVoter(peer) || raft.conf.isLearner(peer) || membership.member(peer).map { !$0.status.isGone } ?? false)
    }

    /// Where to send Raft, lease and forwarding traffic for `node`: the address gossip last
    /// knew, even when gossip holds the agent dead. Those protocols have their own failure
    /// handling, and a false suspicion in gossip (seen in the simulation: a follower cut off
    /// its leader, a renewal never sent so the pods' lease ran out) must not silence them.
    func peerAddress(_ node: NodeID) -> Endpoint? {
        node == id ? nil : membership.member(node)?.address
    }

    /// Reviews matter only to an agent that may still bootstrap, and to the leader.
    var needsReview: Bool {
        raft.role == .leader || (settings.bootstrapExpect != nil && !isInConfiguration)
    }

    /// Routes the event to the cores and translates what they ask for into effects.
    /// - Returns: effects in the order the shell must carry them out; exactly one
    ///   `.scheduleTick` (the earliest deadline of all cores), last.
    package mutating func handle(_ event: AgentEvent) -> [AgentEffect] {
        handle([event])
    }

    /// Handles every event that arrived together, then collects one Raft `Ready`: proposals
    /// that queued up while the shell was busy (on an fsync, say) share one persist, which
    /// is the group commit that lets throughput grow with concurrent clients.
    package mutating func handle(_ events: [AgentEvent]) -> [AgentEffect] {
        var effects: [AgentEffect] = []
        var now = Instant.zero
        for event in events {
            now = ingest(event, into: &effects)
        }
        trackLeadership(now: now)
        renewLease(now: now, into: &effects)
        confirmLeaseRequests()
        dispatchWaiting(now: now, into: &effects)
        drainReady(into: &effects)
        considerSnapshot(into: &effects)
        trackLeadership(now: now)
        publishRaftRole(now: now, into: &effects)
        reportLeader(into: &effects)
        settleOwnProposals(&effects)
        for id in refusedClientIDs {
            effects.append(.proposalFailed(id: id, reason: .refused("proposal ids from 2^63 are the agent's own")))
        }
        refusedClientIDs = []
        scheduleOwnWork(now: now, into: &effects)
        // A renewal that could not be sent (the leader's address is gone) is retried at the
        // next Raft tick, not at once: a deadline in the past would spin the agent.
        let renewal = raft.leader == nil ? nil : lease.nextRequest.map { max($0, now + settings.raftTick) }
        let waitEnds = waiting.values.map(\.deadline).min()
        let deadlines = [membershipDeadline, isInConfiguration ? nextRaftTick : nil, needsReview ? nextReview : nil, renewal, waitEnds, ownWorkDeadline].compactMap { $0 }
        effects.append(.scheduleTick(at: deadlines.min() ?? now + settings.raftTick))
        return effects
    }

    /// - Returns: the event's instant.
    private mutating func ingest(_ event: AgentEvent, into effects: inout [AgentEffect]) -> Instant {
        switch event {
        case .start(let seeds, let now):
            route(membership.handle(.join(seeds: seeds, now: now)), now: now, into: &effects)
            nextRaftTick = now + settings.raftTick
            nextReview = now + settings.reviewInterval
            return now
        case .tick(let now):
            noticePause(now: now)
            route(membership.handle(.tick(now: now)), now: now, into: &effects)
            if let due = nextRaftTick, due <= now {
                if isInConfiguration { raft.tick() }
                nextRaftTick = now + settings.raftTick
            }
            if let due = nextReview, due <= now {
                review(now: now, into: &effects)
                nextReview = now + settings.reviewInterval
            }
            return now
        case .gossip(let envelope, let now):
            route(membership.handle(.received(envelope, now: now)), now: now, into: &effects)
            return now
        case .raft(let message, let now):
            // A message for another node, or a malformed one, is dropped: peers can be wrong.
            // So is one from an agent that is neither in the configuration nor a live member:
            // a stranger's term must not move this node's.
            if isKnownPeer(message.from) { try? raft.step(message) }
            return now
        case .lease(let message, let now):
            receive(message, now: now)
            return now
        case .propose(let id, let data, let now):
            if id >= Self.ownProposalIDs {
                refusedClientIDs.append(id)
            } else {
                submit(id: id, data: data, now: now, into: &effects)
            }
            return now
        case .stateChanged(let now):
            stateChanged()
            return now
        case .podsChanged(let now):
            podWork.due = true
            return now
        case .controllerPassComputed(let proposal, let term, let now):
            controllerPassComputed(proposal, term: term, now: now, into: &effects)
            return now
        case .podsRan(let report, let now):
            podsRan(report, now: now, into: &effects)
            return now
        case .forward(let message, let now):
            receive(message, now: now, into: &effects)
            return now
        case .snapshotTaken(let index, let data, let now):
            compact(through: index, data: data, into: &effects)
            return now
        case .runtimeHealth(let problem, let now):
            publishRuntimeProblem(problem, now: now, into: &effects)
            return now
        case .transferLeadership(let now):
            transferLeadership()
            return now
        case .leave(let now):
            route(membership.handle(.leave(now: now)), now: now, into: &effects)
            return now
        }
    }

    /// Translates membership directives; remembers the membership's own deadline.
    mutating func route(_ directives: [Membership.Directive], now: Instant, into effects: inout [AgentEffect]) {
        for directive in directives {
            switch directive {
            case .send(let envelope, let endpoint):
                effects.append(.sendGossip(envelope, to: endpoint))
            case .scheduleTick(let at):
                membershipDeadline = at
            case .memberChanged(let change):
                track(change, now: now)
                controllerWork.due = true
                effects.append(.memberChanged(change))
            }
        }
    }

    private mutating func track(_ change: Membership.MemberChange, now: Instant) {
        switch change.member.status {
        case .dead, .left:
            if deadSince[change.member.id] == nil { deadSince[change.member.id] = now }
        case .alive, .suspect:
            deadSince[change.member.id] = nil
        }
    }

    private mutating func reportLeader(into effects: inout [AgentEffect]) {
        guard raft.leader != reportedLeader.leader || raft.term != reportedLeader.term else { return }
        reportedLeader = (raft.leader, raft.term)
        stateChanged()
        effects.append(.leaderChanged(leader: raft.leader, term: raft.term))
    }

    static func raftRole(of id: NodeID, in raft: RaftNode) -> String {
        raft.conf.isVoter(id) ? "voter" : raft.conf.isLearner(id) ? "learner" : "none"
    }

    /// Keeps the `raft` metadata gossiped about this agent true, so a late agent started
    /// with `--bootstrap-expect` sees that a cluster already exists and does not found one.
    private mutating func publishRaftRole(now: Instant, into effects: inout [AgentEffect]) {
        let role = Self.raftRole(of: id, in: raft)
        var metadata = membership.me.metadata
        guard metadata[MetadataKey.raft] != role else { return }
        metadata[MetadataKey.raft] = role
        route(membership.handle(.updateMetadata(metadata, now: now)), now: now, into: &effects)
    }

    /// Gossips the runtime's problem (bounded, so the metadata stays under gossip's size
    /// bound) or withdraws it once the runtime is ready again.
    private mutating func publishRuntimeProblem(_ problem: String?, now: Instant, into effects: inout [AgentEffect]) {
        var metadata = membership.me.metadata
        metadata[MetadataKey.runtimeProblem] = problem.map { String($0.utf8.prefix(MetadataKey.maxRuntimeProblemBytes)) ?? "container runtime is down" }
        guard metadata != membership.me.metadata else { return }
        route(membership.handle(.updateMetadata(metadata, now: now)), now: now, into: &effects)
    }
}

extension AgentNode {
    /// The one way an agent's cores are put together, used by the running agent (on its
    /// SQLite log) and by the simulation (on an in-memory log) alike, so the two cannot
    /// compose them differently.
    /// - Parameters:
    ///   - storage: the Raft log and hard state this agent restarts from (empty when new).
    ///   - seed: drives every random choice; Raft takes it, the rest of the agent the next.
    /// - Throws: the storage's error when it cannot be read.
    package static func compose(
        id: NodeID,
        address: Endpoint,
        metadata: [String: String],
        storage: some RaftStorage,
        membership: Membership.Settings,
        raft raftSettings: Raft.Settings,
        core: AgentCoreSettings,
        seed: UInt64
    ) throws -> AgentNode {
        let raft = try RaftNode(id: id, storage: storage, settings: raftSettings, seed: seed)
        return AgentNode(
            id: id, address: address, metadata: metadata, membershipSettings: membership,
            raft: raft, raftSettings: raftSettings, settings: core, seed: seed &+ 1
        )
    }
}
