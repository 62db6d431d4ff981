import Basics
import Consensus
import Membership

extension AgentNode {
    /// The periodic look at gossip: found the cluster when enough agents have met, and, on
    /// the leader, keep the Raft configuration in step with who is alive.
    mutating func review(now: Instant, into effects: inout [AgentEffect]) {
        bootstrapIfReady(into: &effects)
        if raft.role == .leader {
            reviewConfiguration(now: now)
        }
    }

    /// `--bootstrap-expect N` (Consul's rule): once N alive agents that all expect N have met,
    /// and none of them is in a Raft configuration yet, the N lowest names become the
    /// voters. Every one of them computes the same set, so they agree without a vote. The
    /// view must be the same at two reviews in a row, so agents that just met settle first.
    private mutating func bootstrapIfReady(into effects: inout [AgentEffect]) {
        guard let expect = settings.bootstrapExpect, raft.conf.members.isEmpty, raft.lastIndex == 0 else { return }
        let alive = membership.members.filter { $0.status == .alive }
        guard !alive.contains(where: { ($0.metadata[MetadataKey.raft] ?? "none") != "none" }) else {
            bootstrapCandidates = []
            return  // a cluster exists: wait for its leader to add us as a learner
        }
        let candidates = alive.filter { $0.metadata[MetadataKey.bootstrapExpect] == "\(expect)" }.map(\.id).sorted()
        guard candidates.count >= expect else {
            bootstrapCandidates = []
            return
        }
        let voters = Array(candidates.prefix(expect))
        defer { bootstrapCandidates = voters }
        guard voters == bootstrapCandidates, voters.contains(id) else { return }
        do {
            raft = try RaftNode(id: id, storage: MemoryRaftStorage.bootstrap(voters: voters), settings: raftSettings, seed: generator.next())
            effects.append(.bootstrapStorage(voters: voters))
        } catch {
            // Settings were validated at start; a node that cannot be built stays unbootstrapped.
        }
    }

    /// One configuration change per review, in priority order: forget agents that left (for
    /// `leftSettle`), remove members that lost their log (to add them again), add
    /// new agents as learners, promote a caught-up learner while voters are short, then
    /// remove a voter gossip has reported dead for longer than `replaceDeadVoterAfter`.
    private mutating func reviewConfiguration(now: Instant) {
        let conf = raft.conf
        let members = membership.members
        func status(_ node: NodeID) -> Membership.Status? { membership.member(node)?.status }
        func deadLongEnough(_ node: NodeID) -> Bool {
            guard let since = deadSince[node] else { return false }
            return now - since >= settings.replaceDeadVoterAfter
        }
        // A `left` claim is relayed by gossip, so any key holder can make one about another
        // agent; the agent refutes it within a few gossip rounds. The leader removes a
        // departed agent only once the claim has stood for `leftSettle`.
        func leftLongEnough(_ node: NodeID) -> Bool {
            guard status(node) == .left, let since = deadSince[node] else { return false }
            return now - since >= settings.leftSettle
        }
        if let gone = conf.members.first(where: { $0 != id && leftLongEnough($0) }) {
            try? raft.proposeConfChange(Raft.ConfChange(.remove, gone))
            return
        }
        if let amnesiac = raft.membersThatLostTheirLog.first(where: conf.isMember) {
            try? raft.proposeConfChange(Raft.ConfChange(.remove, amnesiac))
            return
        }
        if let newcomer = members.first(where: { $0.status == .alive && $0.id != id && !conf.isMember($0.id) }) {
            try? raft.proposeConfChange(Raft.ConfChange(.addLearner, newcomer.id))
            return
        }
        let target = min(settings.maxVoters, max(settings.bootstrapExpect ?? 3, 1))
        let healthyVoters = conf.voters.filter { !deadLongEnough($0) }
        if healthyVoters.count < target,
           let learner = conf.learners.first(where: { status($0) == .alive && isCaughtUp($0) }) {
            try? raft.proposeConfChange(Raft.ConfChange(.promoteLearner, learner))
            return
        }
        if conf.voters.count > target, let dead = conf.voters.first(where: { $0 != id && deadLongEnough($0) }) {
            try? raft.proposeConfChange(Raft.ConfChange(.remove, dead))
            return
        }
        if let deadLearner = conf.learners.first(where: deadLongEnough) {
            try? raft.proposeConfChange(Raft.ConfChange(.remove, deadLearner))
        }
    }

    private func isCaughtUp(_ node: NodeID) -> Bool {
        guard let match = raft.matchIndex(of: node) else { return false }
        return match + settings.promotionLag >= raft.lastIndex
    }
}
