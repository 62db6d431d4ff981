import AgentCore
import Basics
import ClusterState
import Consensus
import Simulation

/// Pod processes as the real agent's keepers hold them (design §5): each lives only
/// until its keeper's lease deadline on the node's own (drifting) clock, and a crash
/// leaves them to their keepers until a restarted agent adopts them. Leases themselves are the agent's
/// (``AgentCore/LeaseHolder``, ``AgentCore/LeaseBook``, inside ``AgentCore/AgentNode``).
/// After every event the simulation counts live holders per identity.
extension ControllerSimulation {
    /// Node `i`'s monotonic clock: true time at its clock rate.
    func localTime(_ i: Int) -> Instant {
        Instant(nanoseconds: UInt64(Double(now) * nodes[i].clockRate))
    }

    // MARK: Holders

    /// Keepers enforce their deadline on their own clock, stopping processes finish
    /// stopping, a crashed agent's pods die at their deadline: all before anyone looks.
    mutating func reapProcesses() {
        for i in nodes.indices {
            let local = localTime(i)
            for (key, process) in nodes[i].processes.sorted(by: { $0.key < $1.key }) {
                if local >= process.deadline {
                    nodes[i].processes[key] = nil
                    fencedKills += 1
                    note("\(nodes[i].name) keeper kills \(key.name) at its lease deadline")
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
        orphans.removeAll { orphan in clocks[orphan.node] >= orphan.process.deadline }
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

    /// A crash kills the agent at once; its pods' keepers run them on until their lease
    /// deadline (on the node's clock), unless the agent comes back first and adopts them.
    mutating func orphanProcesses(of i: Int) {
        for (key, process) in nodes[i].processes.sorted(by: { $0.key < $1.key }) {
            orphans.append(ControllerSimOrphan(node: i, key: key, process: process))
        }
    }

    /// What a restarted agent does before its first pod pass: it takes over every pod its
    /// keepers still hold, with the deadline they hold (``Runtime/PodSupervisor/adopt(socket:)``).
    mutating func adoptOrphans(of i: Int) {
        for orphan in orphans where orphan.node == i && nodes[i].processes[orphan.key] == nil {
            nodes[i].processes[orphan.key] = orphan.process
            note("\(nodes[i].name) adopts \(orphan.key.name) \(Self.tag(orphan.process.uid)) from its keeper")
        }
        orphans.removeAll { $0.node == i }
    }
}

/// A pod process whose agent crashed, held by its keeper until its lease deadline.
struct ControllerSimOrphan: Equatable {
    var node: Int
    var key: ObjectKey
    var process: ControllerSimProcess
}
