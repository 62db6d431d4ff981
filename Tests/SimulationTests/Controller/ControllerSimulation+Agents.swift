import AgentCore
import Basics
import ClusterState
import Consensus
import Controller
import Simulation

extension ControllerSimulation {
    /// How long a write waits before its writer gives up (the agent's proposal timeout; a
    /// forwarded report also waits on the HTTP round trip).
    static let proposalTimeout: UInt64 = 5_000_000_000
    static let forwardTimeout: UInt64 = 6_000_000_000

    /// One turn of node `i`'s agent loops, as its bells and timers drive them.
    mutating func runAgent(_ i: Int) {
        settleWrites(i)
        runKubelet(i)
        runController(i)
    }

    /// Ends the writes node `i` waits on that it has applied (ours or superseded: either
    /// way the entry at that index is decided) or that timed out; returns whether any ended.
    @discardableResult
    mutating func settleWrites(_ i: Int) -> Bool {
        let applied = nodes[i].store.index
        var ended = false
        if let pass = nodes[i].controllerPass, applied >= pass.index || now >= pass.deadline {
            nodes[i].controllerPass = nil
            ended = true
        }
        if let report = nodes[i].report, applied >= report.index || now >= report.deadline {
            nodes[i].report = nil
            ended = true
        }
        return ended
    }

    /// Proposes on node `i`; returns the entry's index, or nil when Raft refuses.
    mutating func propose(on i: Int, _ proposal: ClusterProposal) -> UInt64? {
        guard nodes[i].raft?.role == .leader else { return nil }
        do {
            try nodes[i].raft?.propose(codec.encode(proposal))
        } catch {
            return nil
        }
        let index = nodes[i].raft?.lastIndex
        afterStep(i)
        return index
    }

    // MARK: Controller (the leader only)

    /// The agent's `runController`: on the leader, with no pass of its own outstanding, one
    /// pass of node registration and reconciliation over its applied state, as one entry.
    /// With ``ControllerSimConfig/LeaderGate/ownTermApplied`` the leader also waits until it
    /// has applied an entry of its own term.
    mutating func runController(_ i: Int) {
        guard let raft = nodes[i].raft, raft.role == .leader, nodes[i].controllerPass == nil else { return }
        if config.leaderGate == .ownTermApplied, !ControllerGate.isOpen(raft: raft, applied: nodes[i].store.index) { return }
        let state = nodes[i].store.state
        let at = nodes[i].wallClock(at: now)
        let agents = nodes.map { node in
            NodeRegistrar.Agent(
                name: node.name, address: Self.address(of: node.name),
                alive: aliveView.contains(node.name), volumeRoot: "/data/\(node.name)/volumes"
            )
        }
        let commands = NodeRegistrar.commands(state: state, agents: agents, now: at)
            + Reconciler.reconcile(state: state, liveness: Liveness(aliveNodes: aliveView, lostNodes: lostNodes(seenBy: i)), now: at)
        guard !commands.isEmpty, let index = propose(on: i, ClusterProposal(at: at, commands: commands)) else { return }
        nodes[i].controllerPass = ControllerSimWrite(index: index, deadline: now + Self.proposalTimeout)
        checks.proposedPass(at: index, term: raft.term, computedAt: nodes[i].store.index, by: nodes[i].name)
        passes += 1
        note("\(nodes[i].name) pass at \(index) (applied \(nodes[i].store.index)): \(Self.summary(commands))")
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
        "127.0.1." + String(node.hasPrefix("n") ? Int(node.dropFirst()) ?? 0 : 10 + (Int(node.dropFirst()) ?? 0))
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
        let plan = PodDuty.plan(state: state, node: name, held: held, lease: nodes[i].lease, applied: nodes[i].store.index, now: local)
        for key in plan.stop where nodes[i].processes[key] != nil && nodes[i].processes[key]?.stoppingUntil == nil {
            let grace = UInt64.random(in: 0 ... 300_000_000, using: &diskRng)
            nodes[i].processes[key]?.stoppingUntil = now + grace
            note("\(name) stops \(key.name) \(Self.tag(nodes[i].processes[key]?.uid ?? ""))")
        }
        if let deadline = nodes[i].lease.deadline, nodes[i].lease.isValid(at: local) {
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

    /// A report goes through the leader this node knows, over a link that works both ways
    /// (the agent forwards it over HTTP); the leader stamps its own time on it.
    private mutating func submitReport(from i: Int, _ commands: [ClusterCommand]) {
        guard let raft = nodes[i].raft else { return }
        let leader: Int
        if raft.role == .leader {
            leader = i
        } else {
            guard let known = raft.leader.flatMap({ indexOf[$0] }), !blocked[i][known], !blocked[known][i] else { return }
            leader = known
        }
        guard let index = propose(on: leader, ClusterProposal(at: nodes[leader].wallClock(at: now), commands: commands)) else { return }
        nodes[i].report = ControllerSimWrite(index: index, deadline: now + Self.forwardTimeout)
        note("\(nodes[i].name) report via \(nodes[leader].name) at \(index): \(Self.summary(commands))")
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
    /// `ordinal apply` does), one write at a time, retrying after a timeout.
    mutating func operate() {
        guard let desired = config.workload.desired(at: now), let leader = currentLeader else { return }
        if let pending = operatorWrite {
            guard nodes[pending.node].store.index >= pending.write.index || now >= pending.write.deadline else { return }
            operatorWrite = nil
        }
        let stored = nodes[leader].store.state.statefulSets[ObjectKey(namespace: "default", name: desired.metadata.name)]
        guard stored?.spec != desired.spec else { return }
        let command: ClusterCommand = stored == nil ? .create(.statefulSet(desired)) : .update(.statefulSet(desired))
        guard let index = propose(on: leader, ClusterProposal(at: nodes[leader].wallClock(at: now), commands: [command])) else { return }
        operatorWrite = (leader, ControllerSimWrite(index: index, deadline: now + 2_000_000_000))
        let change = config.workload.steps.last { $0.at <= now }?.change.description ?? ""
        note("operator via \(nodes[leader].name) at \(index): \(stored == nil ? "create" : "update") (latest step: \(change))")
    }
}
