import Basics
import ClusterState
import Consensus

extension ControllerSimulation {
    /// One fault drawn from the fault stream. Leader crashes are the most frequent, since a
    /// leader dying mid-scale or mid-rollout is what this simulation exists to exercise.
    mutating func injectFault() {
        let n = nodes.count
        switch Int.random(in: 0 ..< 100, using: &faultRng) {
        case 0 ..< 14:
            let side = (0 ..< n).map { _ in Bool.random(using: &faultRng) }
            for a in 0 ..< n { for b in 0 ..< n { blocked[a][b] = side[a] != side[b] } }
            note("partition \((0 ..< n).filter { side[$0] }.map { nodes[$0].name }) | \((0 ..< n).filter { !side[$0] }.map { nodes[$0].name })")
        case 14 ..< 24:
            let a = Int.random(in: 0 ..< n, using: &faultRng)
            let b = (a + Int.random(in: 1 ..< n, using: &faultRng)) % n
            blocked[a][b] = true
            note("cut \(nodes[a].name) -> \(nodes[b].name) (asymmetric)")
        case 24 ..< 34:
            let a = Int.random(in: 0 ..< n, using: &faultRng)
            for b in 0 ..< n where b != a {
                blocked[a][b] = true
                blocked[b][a] = true
            }
            note("isolate \(nodes[a].name)")
        case 34 ..< 50:
            for a in 0 ..< n { for b in 0 ..< n { blocked[a][b] = false } }
            note("heal links")
        case 50 ..< 64:
            crash(Int.random(in: 0 ..< n, using: &faultRng), reason: "random")
        case 64 ..< 88:
            if let leader = currentLeader { crash(leader, reason: "leader") }
        default:
            transferLeadership()
        }
    }

    /// The leader hands over as it does before a graceful stop (to the most caught-up voter).
    mutating func transferLeadership() {
        guard let leader = currentLeader else { return }
        note("transfer from \(nodes[leader].name)")
        step(leader, [.transferLeadership(now: localTime(leader))])
    }

    /// (5) After the faults stop and the cluster settles: a leader, every node up and holding
    /// the leader's state, and the set at its spec — exactly the ordinals in range, all
    /// placed, Running and Ready, each running as one process on its node, at the update
    /// revision from the partition up, status caught up (`currentRevision ==
    /// updateRevision` unless partitioned), and no claims left above the range when
    /// `whenScaled` is `Delete`.
    mutating func checkConvergence() {
        guard let l = currentLeader, let raft = nodes[l].raft else {
            convergenceFailures.append("[liveness] no leader after settling")
            return
        }
        let leader = nodes[l].store
        if leader.index < raft.commitIndex {
            convergenceFailures.append("[liveness] leader \(nodes[l].name) applied \(leader.index) of \(raft.commitIndex)")
        }
        for node in nodes where node.store != leader || !node.isUp {
            convergenceFailures.append("[liveness] \(node.name) (up: \(node.isUp)) applied \(node.store.index), leader \(leader.index)")
        }
        if let lost = acknowledged.first(where: { $0 > leader.index }) {
            convergenceFailures.append("[acknowledgedWritesKept] the operator's write acknowledged at \(lost) is beyond the leader's applied \(leader.index)")
        }
        guard let desired = config.workload.desired(at: .max) else { return }
        let state = leader.state
        guard let set = state.statefulSets[ObjectKey(namespace: "default", name: desired.metadata.name)] else {
            convergenceFailures.append("[liveness] the set does not exist")
            return
        }
        var failures: [String] = []
        if set.spec != desired.spec { failures.append("spec is not the operator's last one") }
        let pods = ControllerSimInvariants.pods(of: set, in: state)
        let range = set.ordinalStart ..< set.ordinalStart + set.replicas
        if pods.keys.sorted() != Array(range) { failures.append("ordinals \(pods.keys.sorted()), want \(Array(range))") }
        let updateRevision = state.revisions.values
            .filter { $0.metadata.isControlled(by: set.metadata.uid) && $0.data == set.spec.template }
            .max { $0.revision < $1.revision }?.metadata.name
        if set.status?.updateRevision != updateRevision || updateRevision == nil {
            failures.append("updateRevision \(set.status?.updateRevision ?? "none"), want \(updateRevision ?? "none")")
        }
        for (ordinal, pod) in pods.sorted(by: { $0.key < $1.key }) {
            if pod.isTerminating || !pod.isRunningAndReady {
                failures.append("\(pod.metadata.name) is \(ControllerSimInvariants.describe(pod))")
            }
            if ordinal >= set.ordinalStart + set.partition, pod.metadata.labels?[Pod.Keys.revisionHash] != updateRevision {
                failures.append("\(pod.metadata.name) at \(pod.metadata.labels?[Pod.Keys.revisionHash] ?? "none"), want \(updateRevision ?? "none")")
            }
            let key = ObjectKey(namespace: "default", name: pod.metadata.name)
            let runners = nodes.filter { $0.processes[key] != nil }.map(\.name)
            if runners != [pod.nodeName].compactMap({ $0 }) || nodes.contains(where: { $0.processes[key].map { $0.uid != pod.metadata.uid } ?? false }) {
                failures.append("\(pod.metadata.name) placed on \(pod.nodeName ?? "none") runs on \(runners)")
            }
        }
        let status = set.status
        if status?.replicas != set.replicas || status?.readyReplicas != set.replicas || status?.observedGeneration != set.metadata.generation {
            failures.append("status replicas=\(status?.replicas ?? -1) ready=\(status?.readyReplicas ?? -1) observed=\(status?.observedGeneration ?? -1) generation=\(set.metadata.generation ?? -1)")
        }
        if set.partition == 0, status?.currentRevision != status?.updateRevision || status?.updatedReplicas != set.replicas {
            failures.append("currentRevision \(status?.currentRevision ?? "none") updated=\(status?.updatedReplicas ?? -1), updateRevision \(status?.updateRevision ?? "none")")
        }
        if set.deletesClaimsWhenScaled {
            let prefix = "data-" + set.metadata.name + "-"
            let above = state.claims.keys.filter { $0.name.hasPrefix(prefix) }.compactMap { Int($0.name.dropFirst(prefix.count)) }.filter { !range.contains($0) }
            if !above.isEmpty { failures.append("claims of ordinals \(above.sorted()) outlive a scale-down with whenScaled=Delete") }
        }
        convergenceFailures += failures.map { "[liveness] \($0)" }
    }
}
