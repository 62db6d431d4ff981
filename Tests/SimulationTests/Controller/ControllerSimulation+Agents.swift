import AgentCore
import Basics
import ClusterState
import Consensus
import Controller
import Membership
import Simulation

extension ControllerSimulation {
    /// How long a write waits before its writer gives up (the agent's proposal timeout).
    static let proposalTimeout: UInt64 = 5_000_000_000

    /// Latency of the shell's tasks: between the node asking for a pass and the pass being
    /// computed, and between a supervisor's report and the node hearing of it.
    mutating func shellLatency() -> UInt64 {
        UInt64.random(in: 100_000 ... 1_000_000, using: &diskRng)
    }

    // MARK: Controller (the leader only)

    /// The agent's controller task: one ``AgentCore/ControllerPass`` over node `i`'s applied
    /// state as it is when the task gets to the request, handed back to the node, which
    /// proposes it if it still may.
    mutating func runControllerPass(_ i: Int, members: [Membership.Member], lost: Set<NodeID>, term: UInt64) {
        let store = nodes[i].store
        let at = nodes[i].wallClock(at: now)
        let commands = ControllerPass.commands(state: store.state, members: members, lost: lost, now: at)
        let proposal = commands.isEmpty ? nil : codec.encode(ClusterProposal(at: at, commands: commands))
        let before = nodes[i].raft?.lastIndex ?? 0
        step(i, [.controllerPassComputed(proposal: proposal, term: term, now: localTime(i))])
        guard proposal != nil, let raft = nodes[i].raft, raft.role == .leader, raft.term == term, raft.lastIndex == before + 1 else { return }
        recordPass(on: i, commands, read: store)
    }

    /// ``ControllerSimConfig/LeaderGate/anyLeader``, the mutation the invariants must catch:
    /// a leader whose gate is closed runs a pass anyway, as a client write.
    mutating func runUngatedPass(_ i: Int) {
        guard config.leaderGate == .anyLeader, let agent = nodes[i].agent, agent.raft.role == .leader,
              !agent.mayRunController(now: localTime(i)) else { return }
        let store = nodes[i].store
        let at = nodes[i].wallClock(at: now)
        let commands = ControllerPass.commands(state: store.state, members: agent.membership.members, lost: agent.fencedNodes(now: localTime(i)), now: at)
        guard !commands.isEmpty else { return }
        let term = agent.raft.term
        _ = propose(on: i, ClusterProposal(at: at, commands: commands))
        guard let raft = nodes[i].raft, raft.role == .leader, raft.term == term else { return }
        recordPass(on: i, commands, read: store)
    }

    /// A pass node `i` proposed at its last index, computed on `read`.
    private mutating func recordPass(on i: Int, _ commands: [ClusterCommand], read: ControllerSimStore) {
        guard let raft = nodes[i].raft else { return }
        checks.proposedPass(at: raft.lastIndex, term: raft.term, computedAt: read.index, read: read.state, by: nodes[i].name)
        passes += 1
        note("\(nodes[i].name) pass at \(raft.lastIndex) (read \(read.index)): \(Self.summary(commands))")
        if chaos && Double.random(in: 0 ..< 1, using: &faultRng) < config.crashAfterPassRate {
            let delay = UInt64.random(in: 0 ... 20_000_000, using: &faultRng)
            queue.schedule(.crash(i, incarnation: nodes[i].incarnation, reason: "leader right after a pass"), at: now + delay)
        }
    }

    /// `uid=#57.2` for a uid made by command 2 of entry 57 (`apply` derives uids from both).
    static func tag(_ uid: String) -> String {
        let digits = uid.filter { $0 != "-" }
        let index = UInt64(digits.prefix(16), radix: 16).map(String.init) ?? "?"
        let position = UInt64(digits.suffix(16), radix: 16).map(String.init) ?? "?"
        return "uid=#\(index).\(position)"
    }

    static func address(of node: String) -> String {
        let number = Int(node.dropFirst()) ?? 0
        return "127.0.1." + String(node.hasPrefix("n") ? number : node.hasPrefix("l") ? 10 + number : 20 + number)
    }

    // MARK: Kubelet (every node)

    /// The agent's pod task, for a pass node `i` asked for: stop what
    /// ``AgentCore/PodDuty`` says no longer belongs here (it holds its identity until it
    /// has stopped), hand live processes the lease, start what it says to start; when asked,
    /// hand the node the ``AgentCore/PodReport`` of what the simulated supervisors observe.
    mutating func runPods(_ i: Int, lease: LeaseHolder, report: Bool) {
        adoptOrphans(of: i)
        let state = nodes[i].store.state
        let name = nodes[i].name
        let local = localTime(i)
        let held = nodes[i].processes.mapValues { PodDuty.Held(uid: $0.uid, epoch: $0.epoch) }
        let plan = PodDuty.plan(state: state, node: name, held: held, lease: lease, applied: nodes[i].store.index, now: local)
        for key in plan.stop where nodes[i].processes[key] != nil && nodes[i].processes[key]?.stoppingUntil == nil {
            let grace = UInt64.random(in: 0 ... 300_000_000, using: &diskRng)
            nodes[i].processes[key]?.stoppingUntil = now + grace
            note("\(name) stops \(key.name) \(Self.tag(nodes[i].processes[key]?.uid ?? ""))")
        }
        if let deadline = lease.deadline, lease.isValid(at: local) {
            for (key, process) in nodes[i].processes where process.stoppingUntil == nil && process.deadline < deadline {
                nodes[i].processes[key]?.deadline = deadline
            }
            for pod in plan.start {
                let key = ObjectKey(namespace: pod.metadata.namespace ?? "default", name: pod.metadata.name)
                let uid = pod.metadata.uid ?? ""
                nodes[i].processes[key] = ControllerSimProcess(uid: uid, epoch: pod.fencingEpoch, started: now, deadline: deadline)
                if let previous = lastHolder[key], previous != i { moves += 1 }
                lastHolder[key] = i
                note("\(name) starts \(key.name) \(Self.tag(uid)) epoch=\(pod.fencingEpoch)")
            }
        }
        guard report else { return }
        var observed: [ObjectKey: PodReport.Observed] = [:]
        for (key, process) in nodes[i].processes where process.stoppingUntil == nil {
            guard let pod = state.pods[key] else { continue }
            observed[key] = PodReport.Observed(held: PodDuty.Held(uid: process.uid, epoch: process.epoch), containers: containers(of: pod, process: process, on: i))
        }
        let at = nodes[i].wallClock(at: now)
        let commands = PodReport.commands(state: state, node: name, observed: observed, held: held, events: [], now: at)
        if !commands.isEmpty { note("\(name) report: \(Self.summary(commands))") }
        step(i, [.podsRan(report: commands.isEmpty ? nil : codec.encode(ClusterProposal(at: at, commands: commands)), now: local)])
    }

    /// What a supervisor reports of a running process: every container running since the
    /// process started, ready once its readiness delay passed (never for a broken image).
    private func containers(of pod: Pod, process: ControllerSimProcess, on i: Int) -> [Pod.ContainerStatus] {
        let ready = isReady(pod, process: process)
        return pod.spec.containers.map { container in
            var status = Pod.ContainerStatus(name: container.name, ready: ready, restartCount: 0)
            status.image = container.image
            status.started = true
            status.state = .init(running: .init(startedAt: nodes[i].wallClock(at: process.started)))
            return status
        }
    }

    /// The simulated supervisors report to node `i`'s agent (readiness may have changed).
    mutating func supervisorsReport(_ i: Int) {
        guard !nodes[i].processes.isEmpty else { return }
        step(i, [.podsChanged(now: localTime(i))])
    }

    /// Ready once its container has run for the pod's seeded readiness delay, unless its
    /// image is broken.
    private func isReady(_ pod: Pod, process: ControllerSimProcess?) -> Bool {
        guard let process, pod.spec.containers.first?.image != ControllerSimWorkload.brokenImage else { return false }
        return now >= process.started + readinessDelay(of: process.uid)
    }

    /// A pod's readiness delay: zero for most, up to 1.2 s for a seeded share.
    private func readinessDelay(of uid: String) -> UInt64 {
        var rng = SplitMix64(seed: seed ^ uid.utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01B3 })
        guard Double.random(in: 0 ..< 1, using: &rng) < config.workload.slowReadyRate else { return 0 }
        return UInt64.random(in: 100_000_000 ... 1_200_000_000, using: &rng)
    }

    // MARK: Operator

    /// The operator's client: while the leader's state differs from what the workload wants
    /// now, it applies the wanted spec (create, or update without a resourceVersion, as
    /// `ordinal apply` does) through any agent, one write at a time, retrying after a
    /// failure or a timeout. Also forgets history no replica can return to.
    mutating func operate() {
        checks.prune(below: nodes.map { min($0.store.index, $0.disk.firstIndex - 1) }.min() ?? 0)
        guard let desired = config.workload.desired(at: now), let leader = currentLeader else { return }
        if let pending = operatorWrite {
            guard now >= pending.write.deadline else { return }
            operatorWrite = nil
        }
        let stored = nodes[leader].store.state.statefulSets[ObjectKey(namespace: "default", name: desired.metadata.name)]
        guard stored?.spec != desired.spec else { return }
        let up = nodes.indices.filter { nodes[$0].isUp }
        let target = up[Int.random(in: 0 ..< up.count, using: &faultRng)]
        let command: ClusterCommand = stored == nil ? .create(.statefulSet(desired)) : .update(.statefulSet(desired))
        let id = propose(on: target, ClusterProposal(at: nodes[target].wallClock(at: now), commands: [command]))
        guard nodes[target].isUp else { return }
        operatorWrite = (target, ControllerSimWrite(id: id, deadline: now + Self.proposalTimeout))
        let change = config.workload.steps.last { $0.at <= now }?.change.description ?? ""
        note("operator via \(nodes[target].name): \(stored == nil ? "create" : "update") (latest step: \(change))")
    }
}
