import ClusterState

/// One pass of the controller over the whole state.
package enum Reconciler {
    /// At most this many commands per pass, so one Raft entry stays small; the next pass
    /// (after this one commits) carries on.
    package static let commandBudget = 256

    /// The commands one pass proposes: first, alone, what to do about pods on lost nodes
    /// (so the sets see the result next pass); otherwise per StatefulSet (in key order) pod
    /// and claim creations and deletions, revisions and status; then placements of pending
    /// pods, volume copies, garbage collection, namespaces and disruption budgets' status.
    package static func reconcile(state: ClusterState, liveness: Liveness, now: Timestamp) -> [ClusterCommand] {
        let losses = NodeLoss.commands(state: state, liveness: liveness, now: now)
        guard losses.isEmpty else { return Array(losses.prefix(commandBudget)) }
        let podsBySet = PodIndex(state: state)
        var commands: [ClusterCommand] = []
        for key in state.statefulSets.keys.sorted() {
            guard commands.count < commandBudget, let set = state.statefulSets[key] else { break }
            var sync = SetSync(set: set, state: state, pods: podsBySet.pods(of: set), now: now)
            commands += sync.run()
        }
        if commands.count < commandBudget {
            var scheduler = Scheduler(state: state, liveness: liveness)
            commands += scheduler.placements(limit: commandBudget - commands.count)
        }
        if commands.count < commandBudget {
            commands += VolumeHandover.commands(state: state, liveness: liveness, now: now) + VolumeCopies.commands(state: state, liveness: liveness)
        }
        commands += OwnerCollector.deletions(state: state) + ClaimReaper.finalizations(state: state)
        if commands.count < commandBudget {
            commands += (NamespaceLifecycle.commands(state: state) + DisruptionStatusSync.commands(state: state, now: now))
                .prefix(commandBudget - commands.count)
        }
        return commands + ControllerEvents.events(for: commands, state: state, now: now) + EventReaper.deletions(state: state, now: now)
    }
}

/// The pods of each StatefulSet, found in one pass over all pods: a pod belongs to a set
/// when it is named `<set>-<ordinal>` in the set's namespace and the set controls it.
struct PodIndex {
    private var byOwner: [String: [Int: Pod]] = [:]

    init(state: ClusterState) {
        for pod in state.pods.values {
            guard let owner = pod.metadata.ownerReferences?.first(where: { $0.controller == true && $0.kind == "StatefulSet" }),
                  let ordinal = Self.ordinal(of: pod.metadata.name, in: owner.name)
            else { continue }
            byOwner[owner.uid, default: [:]][ordinal] = pod
        }
    }

    /// Pods of `set` by ordinal.
    func pods(of set: StatefulSet) -> [Int: Pod] {
        byOwner[set.metadata.uid ?? ""] ?? [:]
    }

    /// The ordinal in `<set>-<ordinal>`, nil when the name is not of that form (leading
    /// zeros included, which no controller would write).
    static func ordinal(of podName: String, in setName: String) -> Int? {
        guard podName.hasPrefix(setName + "-") else { return nil }
        let digits = podName.dropFirst(setName.count + 1)
        guard let ordinal = Int(digits), ordinal >= 0, String(ordinal) == digits else { return nil }
        return ordinal
    }
}
