import Basics
import Consensus

extension RaftSimulation {
    /// The node that believes it leads the highest term, if any.
    var currentLeader: Int? {
        var best: Int?
        for i in nodes.indices {
            guard let raft = nodes[i].raft, raft.role == .leader else { continue }
            if best == nil || raft.term > nodes[best!].raft!.term { best = i }
        }
        return best
    }

    mutating func proposeOnLeader() {
        guard let l = currentLeader else { return }
        let id = nextProposal
        do {
            try nodes[l].raft!.propose(Self.proposalData(id))
        } catch {
            return
        }
        nextProposal += 1
        proposedOn[id] = l
        afterStep(l)
    }

    /// One fault (or operator action) drawn from the fault stream.
    mutating func injectFault() {
        let n = nodes.count
        let roll = Int.random(in: 0 ..< 100, using: &faultRng)
        switch roll {
        case 0 ..< 18:
            let side = (0 ..< n).map { _ in Bool.random(using: &faultRng) }
            for a in 0 ..< n { for b in 0 ..< n { blocked[a][b] = side[a] != side[b] } }
            note("partition \((0 ..< n).filter { side[$0] }.map { nodes[$0].id.name }) | \((0 ..< n).filter { !side[$0] }.map { nodes[$0].id.name })")
        case 18 ..< 32:
            let a = Int.random(in: 0 ..< n, using: &faultRng)
            let b = (a + Int.random(in: 1 ..< n, using: &faultRng)) % n
            blocked[a][b] = true
            note("cut \(nodes[a].id) -> \(nodes[b].id) (asymmetric)")
        case 32 ..< 44:
            let a = Int.random(in: 0 ..< n, using: &faultRng)
            for b in 0 ..< n where b != a {
                blocked[a][b] = true
                blocked[b][a] = true
            }
            note("isolate \(nodes[a].id)")
        case 44 ..< 60:
            for a in 0 ..< n { for b in 0 ..< n { blocked[a][b] = false } }
            note("heal links")
        case 60 ..< 74:
            crash(Int.random(in: 0 ..< n, using: &faultRng), reason: "random")
        case 74 ..< 84:
            if let l = currentLeader { crash(l, reason: "leader") }
        case 84 ..< 92:
            transferLeadership()
        default:
            changeMembership()
        }
    }

    mutating func transferLeadership() {
        guard let l = currentLeader else { return }
        let voters = nodes[l].raft!.voters
        let target = voters[Int.random(in: 0 ..< voters.count, using: &faultRng)]
        note("transfer \(nodes[l].id) -> \(target)")
        try? nodes[l].raft!.transferLeadership(to: target)
        afterStep(l)
    }

    /// Promotes a learner, or removes a voter (never below three), or adds a removed node
    /// back as a learner — one single-server step at a time.
    mutating func changeMembership() {
        guard let l = currentLeader else { return }
        let raft = nodes[l].raft!
        let removed = nodes.map(\.id).filter { !raft.voters.contains($0) && !raft.learners.contains($0) }
        let change: Raft.ConfChange
        if let back = removed.first {
            change = Raft.ConfChange(.addLearner, back)
        } else if !raft.learners.isEmpty && Bool.random(using: &faultRng) {
            change = Raft.ConfChange(.promoteLearner, raft.learners[Int.random(in: 0 ..< raft.learners.count, using: &faultRng)])
        } else if raft.voters.count > 3 {
            let candidates = raft.voters.filter { $0 != raft.id }
            change = Raft.ConfChange(.remove, candidates[Int.random(in: 0 ..< candidates.count, using: &faultRng)])
        } else {
            return
        }
        do {
            try nodes[l].raft!.proposeConfChange(change)
            note("propose \(change) on \(raft.id)")
        } catch {
            return
        }
        afterStep(l)
    }

    /// After the settle period: a leader exists, every member applied everything the leader
    /// committed, and every acknowledged proposal is applied at its index everywhere.
    mutating func checkConvergence() {
        guard let l = currentLeader, let leader = nodes[l].raft else {
            convergenceFailures.append("no leader after healing")
            return
        }
        let members = leader.voters + leader.learners
        for id in members {
            guard let i = indexOf[id], let raft = nodes[i].raft else {
                convergenceFailures.append("member \(id) is down after healing")
                continue
            }
            if nodes[i].machine.index < leader.commitIndex {
                convergenceFailures.append("\(id) applied \(nodes[i].machine.index) of \(leader.commitIndex) (commit \(raft.commitIndex), last \(raft.lastIndex))")
            }
        }
        for (id, index) in acknowledged {
            let code = RaftSimInvariants.code(Raft.Entry(term: 0, index: index, data: Self.proposalData(id)))
            if invariants.appliedCode(at: index) != code {
                convergenceFailures.append("acknowledged proposal \(id) is not what was applied at \(index)")
            }
        }
        if let maxAck = acknowledged.map(\.index).max() {
            for id in members {
                if let i = indexOf[id], nodes[i].machine.index < maxAck {
                    convergenceFailures.append("\(id) misses acknowledged index \(maxAck)")
                }
            }
        }
    }
}
