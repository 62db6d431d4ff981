import Basics
import ClusterState

/// A named safety property that failed, with when and what.
struct ControllerSimViolation: CustomStringConvertible {
    var check: String
    var time: UInt64
    var detail: String

    var description: String { "[\(check)] t=\(Instant(nanoseconds: time)) \(detail)" }
}

/// The controller's safety properties, checked on every state any replica reaches.
///
/// Every applied state is compared with the first state any replica reached at that index
/// (`appliedPrefixesIdentical`), so all replicas share one history, and the history is
/// checked once per index against its predecessor: placements and fencing epochs,
/// OrderedReady's creation order, serial controller passes, claim-to-volume bindings, pod
/// addresses. Checking each index once keeps the cost linear in the log, not in
/// log × replicas.
struct ControllerSimInvariants {
    private struct Placement {
        var uid: String
        var node: String
        var epoch: UInt64
    }

    private struct PassKey: Hashable {
        var index: UInt64
        var term: UInt64
    }

    private struct Pass {
        var computedAt: UInt64
        var node: String
        /// The state the pass read.
        var read: ClusterState
    }

    private struct VolumeBinding {
        var claim: ObjectKey
        var volume: String
        var node: String?
        var since: UInt64
    }

    /// The state at each index still needed for comparison (pruned below every replica).
    private var history: [UInt64: ClusterState] = [0: ClusterState()]
    private(set) var historyIndex: UInt64 = 0
    /// The latest placement of each pod identity (`namespace/name`), across recreations.
    private var placements: [ObjectKey: Placement] = [:]
    /// Each claim's volume, by claim uid, from the index that bound it.
    private var bindings: [String: VolumeBinding] = [:]
    /// Controller passes proposed and not yet reached by the history, and the last one it
    /// reached.
    private var passes: [PassKey: Pass] = [:]
    private var lastPass: (index: UInt64, node: String)?
    /// The state the controller pass at an index read, from its commit until the history
    /// checks that index.
    private var passRead: [UInt64: ClusterState] = [:]
    private(set) var violations: [ControllerSimViolation] = []
    /// Checks whose failures are a known, reported gap: recorded in ``knownIssues`` without
    /// stopping the run, so the other properties are still checked to the end.
    let tolerated: Set<String>
    private(set) var knownIssues: [ControllerSimViolation] = []
    /// The virtual time stamped on violations; the simulation keeps it current.
    var time: UInt64 = 0

    init(tolerating tolerated: Set<String>) {
        self.tolerated = tolerated
    }

    mutating func fail(_ check: String, _ detail: String) {
        let violation = ControllerSimViolation(check: check, time: time, detail: detail)
        if tolerated.contains(check) {
            if knownIssues.count < 20 { knownIssues.append(violation) }
        } else if violations.count < 20 {
            violations.append(violation)
        }
    }

    /// Forgets states below `index`: no replica can reach them again.
    mutating func prune(below index: UInt64) {
        guard let lowest = history.keys.min(), lowest < index else { return }
        for old in lowest ..< min(index, historyIndex) { history[old] = nil }
    }

    /// (1) A replica reached `store.index` holding `store.state`: it must equal what every
    /// other replica held there. A new index extends the history and is checked.
    mutating func observe(_ store: ControllerSimStore, on node: String) {
        if let known = history[store.index] {
            if known != store.state {
                fail("appliedPrefixesIdentical", "\(node) holds a different state at \(store.index): \(Self.differences(known, store.state))")
            }
            return
        }
        guard store.index == historyIndex + 1, let previous = history[historyIndex] else {
            fail("appliedPrefixesIdentical", "\(node) reached \(store.index) but the shared history ends at \(historyIndex)")
            return
        }
        let state = store.state
        checkPlacements(state, index: store.index)
        checkOrderedReady(state, previous: previous, index: store.index)
        passRead[store.index] = nil
        checkVolumes(state, index: store.index)
        checkAddresses(state, index: store.index)
        history[store.index] = state
        historyIndex = store.index
    }

    /// (2) A pod's placement never changes once made; a new placement of an identity (a
    /// recreated pod) carries the Raft index of its bind as fencing epoch, above every
    /// earlier epoch of that identity. One key holds one pod, and (1) makes every replica
    /// agree on it, so no identity is bound to two nodes at one index.
    private mutating func checkPlacements(_ state: ClusterState, index: UInt64) {
        for (key, pod) in state.pods.sorted(by: { $0.key < $1.key }) {
            guard let node = pod.spec.nodeName else { continue }
            let uid = pod.metadata.uid ?? ""
            let epoch = pod.fencingEpoch
            if let known = placements[key], known.uid == uid {
                if known.node != node || known.epoch != epoch {
                    fail("placementNeverMoves", "\(key) uid \(uid) moved from \(known.node)@\(known.epoch) to \(node)@\(epoch) at \(index)")
                }
                continue
            }
            if epoch != index {
                fail("fencingEpochIsBindIndex", "\(key) was bound to \(node) at \(index) with fencing epoch \(epoch)")
            }
            if let known = placements[key], epoch <= known.epoch {
                fail("fencingEpochIncreases", "\(key) re-bound to \(node) at \(index) with epoch \(epoch), not above \(known.epoch) on \(known.node)")
            }
            placements[key] = Placement(uid: uid, node: node, epoch: epoch)
        }
    }

    /// (3) For an `OrderedReady` set, a pod is created only while every lower ordinal from
    /// `ordinals.start` exists, is not terminating and is Running and Ready, in the state the
    /// controller pass that created it read (as in Kubernetes, a node's report that a lower
    /// pod lost its readiness — its container restarted — may commit between that read and
    /// the creation; a creation by anything but a recorded pass is checked against the
    /// state just before it). (A gap below a live pod is legitimate when the lower pod was
    /// deleted after the upper one was created, as a rolling update does; the creation check
    /// is what rules out skipping. Scale-down order is not checked on states: a rollout
    /// deletion decided before a concurrent scale-down lands after it, as in Kubernetes.)
    private mutating func checkOrderedReady(_ state: ClusterState, previous: ClusterState, index: UInt64) {
        for (_, set) in state.statefulSets.sorted(by: { $0.key < $1.key }) where !set.isParallel {
            let pods = Self.pods(of: set, in: state)
            let before = Self.pods(of: set, in: previous)
            let read = Self.pods(of: set, in: passRead[index] ?? previous)
            for (ordinal, pod) in pods.sorted(by: { $0.key < $1.key }) where before[ordinal]?.metadata.uid != pod.metadata.uid {
                for lower in set.ordinalStart ..< max(set.ordinalStart, ordinal) {
                    guard let below = read[lower], !below.isTerminating, below.isRunningAndReady else {
                        fail("orderedReadyCreatesInOrder", "\(pod.metadata.name) created at \(index) while \(set.podName(ordinal: lower)) is \(Self.describe(read[lower])) in the state its pass read")
                        break
                    }
                }
            }
        }
    }

    /// Records a controller pass proposed at `index` in `term`, computed on the state at
    /// `computedAt`.
    mutating func proposedPass(at index: UInt64, term: UInt64, computedAt: UInt64, read: ClusterState, by node: String) {
        passes[PassKey(index: index, term: term)] = Pass(computedAt: computedAt, node: node, read: read)
    }

    /// Controller passes are serial: each committed pass was computed on a state that
    /// already held the previous committed pass, which is what OrderedReady's order and
    /// `maxUnavailable`'s budget rest on. Called once per index, as the history reaches it.
    mutating func committed(index: UInt64, term: UInt64) {
        guard let pass = passes.removeValue(forKey: PassKey(index: index, term: term)) else { return }
        passRead[index] = pass.read
        if let last = lastPass, last.index > pass.computedAt {
            fail("controllerPassesSerial", "\(pass.node)'s pass at \(index) was computed on \(pass.computedAt), before \(last.node)'s pass at \(last.index) that commits ahead of it")
        }
        lastPass = (index, pass.node)
    }

    /// (4) Once a claim is bound to a volume it stays bound to that volume for as long as
    /// the claim exists, the volume exists and names the claim, and the volume's node never
    /// changes; and every placed pod sits on the node of each of its claims' volumes.
    private mutating func checkVolumes(_ state: ClusterState, index: UInt64) {
        for (uid, binding) in bindings.sorted(by: { $0.key < $1.key }) {
            guard let claim = state.claims[binding.claim], claim.metadata.uid == uid else {
                bindings[uid] = nil
                continue
            }
            if claim.spec.volumeName != binding.volume {
                fail("claimBindingNeverLost", "\(binding.claim) bound to \(binding.volume) since \(binding.since) is \(claim.spec.volumeName ?? "unbound") at \(index)")
            }
        }
        for (key, claim) in state.claims.sorted(by: { $0.key < $1.key }) {
            guard let uid = claim.metadata.uid, let name = claim.spec.volumeName else { continue }
            guard let volume = state.volumes[ObjectKey(namespace: "", name: name)] else {
                fail("boundVolumeExists", "\(key) is bound to \(name), which does not exist at \(index)")
                continue
            }
            if volume.spec.claimRef?.uid != uid {
                fail("boundVolumeExists", "\(name) names claim uid \(volume.spec.claimRef?.uid ?? "none"), not \(key) uid \(uid), at \(index)")
            }
            if let known = bindings[uid] {
                if known.node != volume.node {
                    fail("volumeNeverMoves", "\(name) of \(key) moved from \(known.node ?? "nowhere") to \(volume.node ?? "nowhere") at \(index)")
                }
            } else {
                bindings[uid] = VolumeBinding(claim: key, volume: name, node: volume.node, since: index)
            }
        }
        for (key, pod) in state.pods.sorted(by: { $0.key < $1.key }) {
            guard let node = pod.spec.nodeName else { continue }
            for claimName in (pod.spec.volumes ?? []).compactMap(\.persistentVolumeClaim?.claimName) {
                let claim = state.claims[ObjectKey(namespace: key.namespace, name: claimName)]
                let volume = claim?.spec.volumeName.flatMap { state.volumes[ObjectKey(namespace: "", name: $0)] }
                if volume?.node != node {
                    fail("podRunsWhereItsVolumeIs", "\(key) on \(node) uses claim \(claimName) bound to \(volume.map { "\($0.metadata.name) on \($0.node ?? "nowhere")" } ?? "no volume") at \(index)")
                }
            }
        }
    }

    /// No two nodes share a pod CIDR and no two placed pods share an address: a pod's IP is
    /// what its DNS name resolves to, and two processes on one address would collide.
    private mutating func checkAddresses(_ state: ClusterState, index: UInt64) {
        var blocks: [String: String] = [:]
        for (key, node) in state.nodes.sorted(by: { $0.key < $1.key }) {
            guard let cidr = node.spec.podCIDR else { continue }
            if let other = blocks[cidr] { fail("podCIDRsUnique", "\(key.name) and \(other) both hold \(cidr) at \(index)") }
            blocks[cidr] = key.name
        }
        var holders: [String: ObjectKey] = [:]
        for (key, pod) in state.pods.sorted(by: { $0.key < $1.key }) {
            guard pod.spec.nodeName != nil, let ip = pod.status?.podIP else { continue }
            if let other = holders[ip] { fail("podAddressesUnique", "\(key) and \(other) both hold \(ip) at \(index)") }
            holders[ip] = key
        }
    }

    /// The pods a set controls, by ordinal (`<set>-<ordinal>` owned by the set's uid).
    static func pods(of set: StatefulSet, in state: ClusterState) -> [Int: Pod] {
        var found: [Int: Pod] = [:]
        let prefix = set.metadata.name + "-"
        for pod in state.pods.values where pod.metadata.isControlled(by: set.metadata.uid) && pod.metadata.name.hasPrefix(prefix) {
            if let ordinal = Int(pod.metadata.name.dropFirst(prefix.count)) { found[ordinal] = pod }
        }
        return found
    }

    static func describe(_ pod: Pod?) -> String {
        guard let pod else { return "missing" }
        return "\(pod.isTerminating ? "terminating " : "")\(pod.phase ?? "no phase") ready=\(pod.isReady) on \(pod.nodeName ?? "no node")"
    }

    /// Which objects differ between two states, for the failure report.
    static func differences(_ a: ClusterState, _ b: ClusterState) -> String {
        let left = Dictionary(a.allObjects.map { ("\($0.kind.rawValue) \($0.key)", $0) }) { first, _ in first }
        let right = Dictionary(b.allObjects.map { ("\($0.kind.rawValue) \($0.key)", $0) }) { first, _ in first }
        let keys = Set(left.keys).union(right.keys).filter { left[$0] != right[$0] }.sorted()
        return keys.prefix(6).map { key in
            "\(key) (rv \(left[key]?.metadata.resourceVersion ?? "absent") vs \(right[key]?.metadata.resourceVersion ?? "absent"))"
        }.joined(separator: "; ")
    }
}
