import AgentCore
import Basics
import ClusterState
import Consensus
import Simulation

/// Pod processes as the real agent's supervisors run them (design §5): each lives only
/// until its supervisor's lease deadline on the node's own (drifting) clock, and a crash
/// leaves orphans that die a little later. Leases themselves are the agent's
/// (``AgentCore/LeaseHolder``, ``AgentCore/LeaseBook``, inside ``AgentCore/AgentNode``).
/// After every event the simulation counts live holders per identity.
extension ControllerSimulation {
    /// Node `i`'s monotonic clock: true time at its clock rate.
    func localTime(_ i: Int) -> Instant {
        Instant(nanoseconds: UInt64(Double(now) * nodes[i].clockRate))
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
                } else {
                    continue
                }
                queue.schedule(.supervisorExited(i, incarnation: nodes[i].incarnation), at: now + 1)
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
