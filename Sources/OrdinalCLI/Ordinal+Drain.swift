import ArgumentParser
import ClusterState
import FoundationEssentials
import NIOHTTP1
#if canImport(Glibc)
import Glibc
#endif

/// `ordinal drain NODE`: cordon the node, then move its pods off one at a time through the
/// Eviction subresource (so PodDisruptionBudgets hold), each Ready on another node before
/// the next goes. Stricter than `kubectl drain`, which evicts every pod at once and waits
/// only for each to be deleted: a quorum set never loses two members to one drain.
///
/// A pod whose claim is bound to a `local` volume on this node cannot move with it: it is
/// refused unless `--delete-local-volumes`, which deletes the claim (and the data) so a new, empty
/// volume is made where the pod lands — kubectl's `--delete-emptydir-data`, for claims.
struct DrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "drain", abstract: "Cordon a node and move its pods elsewhere, honouring disruption budgets.")

    @Argument(help: "The node's name (its agent's name).")
    var node: String

    @Flag(help: "Move pods whose volumes live on this node too, deleting their claims and data.")
    var deleteLocalVolumes = false

    @Flag(help: "Also delete pods no controller owns (they are not recreated anywhere).")
    var force = false

    @Option(help: "Give up after this many seconds.")
    var timeout: Int = 600

    @OptionGroup var client: ClientOptions

    func run() async throws {
        let api = try client.client()
        do {
            try await setSchedulable(false, node: node, client: client)
            let plan = try await DrainPlan.make(api, node: node)
            if let refusal = plan.refusal(deleteLocalVolumes: deleteLocalVolumes, force: force) {
                printError(refusal)
                throw ExitCode(1)
            }
            let deadline = ContinuousClock.now + .seconds(max(1, timeout))
            for pod in plan.pods {
                try await move(pod, plan: plan, api: api, deadline: deadline)
            }
            say("node/\(node) drained")
        } catch let error as KubeError {
            printError(error.description)
            throw ExitCode(1)
        }
    }

    /// Deletes its local claims when asked, evicts `pod` (retrying while its budget
    /// refuses), and waits for its replacement to be Ready on another node.
    private func move(_ pod: Pod, plan: DrainPlan, api: KubeClient, deadline: ContinuousClock.Instant) async throws {
        let namespace = pod.metadata.namespace ?? Namespace.defaultName
        let name = pod.metadata.name
        // The claims go first: the controller recreates no pod while its claim is being
        // deleted, so the replacement starts on a new, empty volume elsewhere.
        for claim in plan.localClaims(of: pod) {
            _ = try await api.request(.DELETE, api.path(.persistentVolumeClaim, namespace: namespace, name: claim))
        }
        var announced = false
        while true {
            do {
                try await DrainPlan.evict(pod, api: api)
                break
            } catch let error as KubeError where error.code == 429 {
                if !announced { say("evicting pod \(namespace)/\(name)") }
                announced = true
                printError("error when evicting pods/\"\(name)\" -n \"\(namespace)\" (will retry after 1s): \(error.message ?? "")")
                try await pause(until: deadline, waitingFor: "pod \(namespace)/\(name) to be evicted")
            }
        }
        say("pod/\(name) evicted")
        guard pod.metadata.ownerReferences?.contains(where: { $0.controller == true }) == true else { return }
        while true {
            let current = try? await api.get(.pod, namespace: namespace, name: name)
            if case .pod(let replacement)? = current, replacement.metadata.uid != pod.metadata.uid,
               replacement.spec.nodeName != node, replacement.isReady, !replacement.isTerminating {
                say("pod/\(name) ready on node/\(replacement.spec.nodeName ?? "")")
                return
            }
            try await pause(until: deadline, waitingFor: "pod \(namespace)/\(name) to be Ready elsewhere")
        }
    }

    private func pause(until deadline: ContinuousClock.Instant, waitingFor what: String) async throws {
        guard ContinuousClock.now < deadline else { throw CLIError("error: timed out after \(timeout)s waiting for \(what)") }
        try await Task.sleep(for: .milliseconds(250))
    }
}

/// Prints a progress line at once, also into a pipe (where stdout is block-buffered): a
/// drain takes a while, and whoever reads it wants each step when it happens.
private func say(_ line: String) {
    print(line)
    fflush(nil)
}

/// What a drain moves: the node's running pods, and which of them hold `local` volumes on the
/// node (a replicated volume moves with its pod to a copy) or have no controller.
struct DrainPlan {
    var node: String
    var pods: [Pod]
    /// Per pod (`namespace/name`), the claims it uses whose `local` volume stays on the node.
    var pinned: [String: [String]]

    static func make(_ api: KubeClient, node: String) async throws -> DrainPlan {
        let pods = try await api.list(.pod, namespace: nil, selector: nil).compactMap { object -> Pod? in
            guard case .pod(let pod) = object, pod.spec.nodeName == node, !pod.isTerminating,
                  pod.phase != Pod.Phase.succeeded, pod.phase != Pod.Phase.failed else { return nil }
            return pod
        }
        var claims: [ObjectKey: PersistentVolumeClaim] = [:]
        for case .persistentVolumeClaim(let claim) in try await api.list(.persistentVolumeClaim, namespace: nil, selector: nil) {
            claims[ObjectKey(namespace: claim.metadata.namespace ?? Namespace.defaultName, name: claim.metadata.name)] = claim
        }
        var volumes: [String: PersistentVolume] = [:]
        for case .persistentVolume(let volume) in try await api.list(.persistentVolume, namespace: nil, selector: nil) {
            volumes[volume.metadata.name] = volume
        }
        var pinned: [String: [String]] = [:]
        for pod in pods {
            let namespace = pod.metadata.namespace ?? Namespace.defaultName
            for claimName in (pod.spec.volumes ?? []).compactMap({ $0.persistentVolumeClaim?.claimName }) {
                guard let volumeName = claims[ObjectKey(namespace: namespace, name: claimName)]?.spec.volumeName,
                      let volume = volumes[volumeName] else { continue }
                // A replicated volume moves with its pod (VolumeHandover); a local one stays.
                if volume.spec.replicated == nil, volume.node == node { pinned[namespace + "/" + pod.metadata.name, default: []].append(claimName) }
            }
        }
        let ordered = pods.sorted { ($0.metadata.namespace ?? "", $0.metadata.name) < ($1.metadata.namespace ?? "", $1.metadata.name) }
        return DrainPlan(node: node, pods: ordered, pinned: pinned)
    }

    func localClaims(of pod: Pod) -> [String] {
        pinned[(pod.metadata.namespace ?? Namespace.defaultName) + "/" + pod.metadata.name] ?? []
    }

    /// kubectl's refusal, listing the pods a drain would lose or strand; nil when it may go on.
    func refusal(deleteLocalVolumes: Bool, force: Bool) -> String? {
        var lines: [String] = []
        if !deleteLocalVolumes, !pinned.isEmpty {
            lines.append("cannot move Pods with volumes on node \(node) (use --delete-local-volumes to override, which deletes their claims and data): "
                + pinned.keys.sorted().joined(separator: ", "))
        }
        let unowned = pods.filter { $0.metadata.ownerReferences?.contains { $0.controller == true } != true }
        if !force, !unowned.isEmpty {
            lines.append("cannot delete Pods that declare no controller (use --force to override): "
                + unowned.map { ($0.metadata.namespace ?? Namespace.defaultName) + "/" + $0.metadata.name }.joined(separator: ", "))
        }
        return lines.isEmpty ? nil : "error: unable to drain node \"\(node)\" due to error: " + lines.joined(separator: "; ")
    }

    /// One eviction, as kubectl posts it.
    static func evict(_ pod: Pod, api: KubeClient) async throws {
        let namespace = pod.metadata.namespace ?? Namespace.defaultName
        let body = #"{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"\#(pod.metadata.name)","namespace":"\#(namespace)"}}"#
        _ = try await api.request(.POST, api.path(.pod, namespace: namespace, name: pod.metadata.name) + "/eviction", body: Array(body.utf8))
    }
}
