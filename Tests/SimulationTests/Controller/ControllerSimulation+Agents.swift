import AgentCore
import Basics
import ClusterState
import Consensus
import Controller
import Simulation

extension ControllerSimulation {
    /// How long a write waits before its writer gives up (the agent's proposal timeout).
    static let proposalTimeout: UInt64 = 5_000_000_000

    /// One turn of node `i`'s agent loops, as its bells and timers drive them.
    mutating func runAgent(_ i: Int) {
        expireWrites(i)
        runKubelet(i)
        runController(i)
    }

    /// Gives up on the writes node `i` waits on past their deadline, as the agent's
    /// proposal book does.
    private mutating func expireWrites(_ i: Int) {
        if let pass = nodes[i].controllerPass, now >= pass.deadline { nodes[i].controllerPass = nil }
        if let report = nodes[i].report, now >= report.deadline { nodes[i].report = nil }
    }

    // MARK: Controller (the leader only)

    /// The agent's `runController`: while the agent's gate is open and no pass of its own
    /// is outstanding, one ``AgentCore/ControllerPass`` over its applied state, as one entry.
    /// ``ControllerSimConfig/LeaderGate/anyLeader`` removes the gate (a mutation the
    /// invariants must catch).
    mutating func runController(_ i: Int) {
        guard let agent = nodes[i].agent, nodes[i].controllerPass == nil else { return }
        let local = localTime(i)
        switch config.leaderGate {
        case .ownTermApplied: guard agent.mayRunController(now: local) else { return }
        case .anyLeader: guard agent.raft.role == .leader else { return }
        }
        let state = nodes[i].store.state
        let at = nodes[i].wallClock(at: now)
        let commands = ControllerPass.commands(state: state, members: agent.membership.members, lost: agent.fencedNodes(now: local), now: at)
        guard !commands.isEmpty else { return }
        let term = agent.raft.term
        let id = propose(on: i, ClusterProposal(at: at, commands: commands))
        guard let raft = nodes[i].raft, raft.role == .leader, raft.term == term else { return }
        nodes[i].controllerPass = ControllerSimWrite(id: id, deadline: now + Self.proposalTimeout)
        checks.proposedPass(at: raft.lastIndex, term: term, computedAt: nodes[i].store.index, by: nodes[i].name)
        passes += 1
        note("\(nodes[i].name) pass at \(raft.lastIndex) (applied \(nodes[i].store.index)): \(Self.summary(commands))")
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

    /// The node's runtime and pod reporter, from its own applied state, as the agent's
    /// `runPods` does: stop what ``AgentCore/PodDuty`` says no longer belongs here (it
    /// holds its identity until it has stopped), hand live processes the renewed lease,
    /// start what it says to start, then report phase and readiness of what runs and
    /// confirm terminations of what no longer runs, through the leader.
    mutating func runKubelet(_ i: Int) {
        let state = nodes[i].store.state
        let name = nodes[i].name
        let local = localTime(i)
        var held = nodes[i].processes.mapValues { PodDuty.Held(uid: $0.uid, epoch: $0.epoch) }
        // The agent finds its previous life's supervisors by their pid files and starts
        // nothing for those identities until they are gone.
        for orphan in orphans where orphan.node == i && held[orphan.key] == nil {
            held[orphan.key] = PodDuty.Held(uid: orphan.process.uid, epoch: orphan.process.epoch)
        }
        guard let lease = nodes[i].agent?.lease else { return }
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
        guard nodes[i].report == nil else { return }
        let at = nodes[i].wallClock(at: now)
        let commands = state.pods.sorted(by: { $0.key < $1.key }).compactMap { key, pod -> ClusterCommand? in
            guard pod.nodeName == name, let uid = pod.metadata.uid else { return nil }
            let process = nodes[i].processes[key]
            if pod.isTerminating { return process == nil ? .finalize(.pod, key, uid: uid) : nil }
            guard let process, process.uid == uid, process.stoppingUntil == nil else { return nil }
            let ready = isReady(pod, process: process)
            if pod.phase == Pod.Phase.pending { return .updateStatus(.pod(Self.running(pod, ready: ready, at: at))) }
            if pod.phase == Pod.Phase.running && !pod.isReady && ready { return .updateStatus(.pod(Self.running(pod, ready: true, at: at))) }
            return nil
        }
        guard !commands.isEmpty else { return }
        submitReport(from: i, commands)
    }

    /// A report is a proposal on the node itself, which hands it to the leader it knows.
    private mutating func submitReport(from i: Int, _ commands: [ClusterCommand]) {
        let id = propose(on: i, ClusterProposal(at: nodes[i].wallClock(at: now), commands: commands))
        guard nodes[i].isUp else { return }
        nodes[i].report = ControllerSimWrite(id: id, deadline: now + Self.proposalTimeout)
        note("\(nodes[i].name) report \(id): \(Self.summary(commands))")
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

    /// The pod's status as the agent's `PodReport` writes it: Running, with its Ready
    /// condition as the readiness check says.
    static func running(_ pod: Pod, ready: Bool, at: Timestamp) -> Pod {
        var running = pod
        running.metadata.resourceVersion = nil
        running.status?.phase = Pod.Phase.running
        running.status?.startTime = pod.status?.startTime ?? at
        let flag = ready ? "True" : "False"
        let kept = (pod.status?.conditions ?? []).filter { !["Initialized", "ContainersReady", "Ready"].contains($0.type) }
        running.status?.conditions = kept + [
            Pod.Condition(type: "Initialized", status: "True", lastTransitionTime: at),
            Pod.Condition(type: "ContainersReady", status: flag, lastTransitionTime: at),
            Pod.Condition(type: "Ready", status: flag, lastTransitionTime: at),
        ]
        running.status?.containerStatuses = pod.spec.containers.map { container in
            var status = Pod.ContainerStatus(name: container.name, ready: ready, restartCount: 0)
            status.image = container.image
            status.started = true
            status.state = .init(running: .init(startedAt: at))
            return status
        }
        return running
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
