import AgentCore
import Basics
import ClusterState
import Consensus
import Simulation

/// Leases and pod processes as the real agent runs them (design §5): every node renews its
/// lease with the leader through a quorum-confirmed read, its kubelet follows
/// ``AgentCore/PodDuty``, each process lives only until its supervisor's lease deadline on
/// the node's own (drifting) clock, and a crash leaves orphans that die a little later. The
/// leader moves pods off nodes gossip reports dead only once ``AgentCore/LeaseBook`` says
/// their lease ran out. After every event the simulation counts live holders per identity.
extension ControllerSimulation {
    /// Node `i`'s monotonic clock: true time at its clock rate.
    func localTime(_ i: Int) -> Instant {
        Instant(nanoseconds: UInt64(Double(now) * nodes[i].clockRate))
    }

    /// The agent's lease loop, on every tick: ask the leader this node knows.
    mutating func renewLease(_ i: Int) {
        guard let raft = nodes[i].raft, let leader = raft.leader.flatMap({ indexOf[$0] }) else { return }
        guard let sequence = nodes[i].lease.request(now: localTime(i)) else { return }
        if leader == i {
            confirmLeases(on: i, [(nodes[i].id, sequence)])
        } else {
            sendLease(.request(from: nodes[i].id, to: nodes[leader].id, sequence: sequence))
        }
    }

    /// Lease messages share the network's cuts, loss and delays with Raft's.
    mutating func sendLease(_ message: LeaseMessage) {
        guard let from = indexOf[message.from], let to = indexOf[message.to], !blocked[from][to] else { return }
        if chaos && Double.random(in: 0 ..< 1, using: &netRng) < config.lossRate { return }
        let delay = UInt64.random(in: config.minDelay ... config.maxDelay, using: &netRng)
        queue.schedule(.lease(message, to: to), at: now + delay)
    }

    mutating func receiveLease(_ message: LeaseMessage, on j: Int) {
        guard let from = indexOf[message.from], !blocked[from][j], let raft = nodes[j].raft else { return }
        switch message {
        case .request(let requester, _, let sequence):
            guard raft.role == .leader else { return }
            nodes[j].book.heard(from: requester, at: localTime(j))
            confirmLeases(on: j, [(requester, sequence)])
        case .grant(let leader, _, let sequence, let term, let readIndex):
            guard leader == raft.leader, term == raft.term else { return }
            if nodes[j].lease.granted(sequence: sequence, readIndex: readIndex) { ring(j) }
        }
    }

    private mutating func confirmLeases(on i: Int, _ requests: [(node: NodeID, sequence: UInt64)]) {
        try? nodes[i].raft?.readIndex(context: LeaseReadContext.encode(requests))
        afterStep(i)
    }

    /// The reads a quorum confirmed on leader `i`: grant each requester its lease.
    mutating func grantLeases(_ reads: [Raft.ReadState], on i: Int) {
        guard let term = nodes[i].raft?.term else { return }
        for read in reads {
            for request in LeaseReadContext.decode(read.context) ?? [] {
                if request.node == nodes[i].id {
                    if nodes[i].lease.granted(sequence: request.sequence, readIndex: read.index) { ring(i) }
                } else {
                    sendLease(.grant(from: nodes[i].id, to: request.node, sequence: request.sequence, term: term, readIndex: read.index))
                }
            }
        }
    }

    /// Starts or ends leader `i`'s lease book with its role.
    mutating func trackLeadership(_ i: Int) {
        let leads = nodes[i].raft?.role == .leader
        if leads && nodes[i].book.leaderSince == nil {
            nodes[i].book.becameLeader(at: localTime(i))
        } else if !leads && nodes[i].book.leaderSince != nil {
            nodes[i].book.steppedDown()
        }
    }

    /// What the leader's controller is told: dead to gossip, and lease surely run out.
    func lostNodes(seenBy leader: Int) -> Set<String> {
        Set(nodes.indices.filter { j in
            j != leader && !aliveView.contains(nodes[j].name) && nodes[leader].book.hasExpired(nodes[j].id, now: localTime(leader))
        }.map { nodes[$0].name })
    }

    // MARK: Holders

    /// Supervisors enforce their deadline on their own clock, stopping processes finish
    /// stopping, orphans of a crashed agent die: all before anyone looks.
    mutating func reapProcesses() {
        for i in nodes.indices {
            let local = localTime(i)
            for (key, process) in nodes[i].processes.sorted(by: { $0.key < $1.key }) {
                if local >= process.deadline {
                    nodes[i].processes[key] = nil
                    fencedKills += 1
                    note("\(nodes[i].name) supervisor kills \(key.name) at its lease deadline")
                } else if let until = process.stoppingUntil, now >= until {
                    nodes[i].processes[key] = nil
                    note("\(nodes[i].name) \(key.name) stopped")
                }
            }
        }
        let clocks = nodes.indices.map { localTime($0) }
        let now = self.now
        orphans.removeAll { orphan in
            now >= orphan.diesAt || clocks[orphan.node] >= orphan.process.deadline
        }
    }

    /// At most one live process per pod identity, at this instant.
    mutating func checkHolders() {
        var holders: [ObjectKey: [String]] = [:]
        for i in nodes.indices {
            for key in nodes[i].processes.keys { holders[key, default: []].append(nodes[i].name) }
        }
        for orphan in orphans { holders[orphan.key, default: []].append("\(nodes[orphan.node].name) (orphan)") }
        for (key, names) in holders.sorted(by: { $0.key < $1.key }) where names.count > 1 {
            checks.fail("oneLiveProcessPerIdentity", "\(key.name) has live processes on \(names.sorted().joined(separator: ", "))")
        }
    }

    /// A crash kills the agent at once; its supervisors notice the closed channel within a
    /// few milliseconds and kill their pods, which until then still hold their identities.
    mutating func orphanProcesses(of i: Int) {
        for (key, process) in nodes[i].processes.sorted(by: { $0.key < $1.key }) {
            let lag = UInt64.random(in: 1_000_000 ... 50_000_000, using: &faultRng)
            orphans.append(ControllerSimOrphan(node: i, key: key, process: process, diesAt: now + lag))
        }
    }
}

/// A pod process whose agent crashed, until its supervisor kills it.
struct ControllerSimOrphan: Equatable {
    var node: Int
    var key: ObjectKey
    var process: ControllerSimProcess
    var diesAt: UInt64
}
