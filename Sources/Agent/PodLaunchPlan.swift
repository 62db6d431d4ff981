import CRI
import AgentCore
import ClusterState
import Foundation
import Glibc
import Crypto
import Runtime
import Subprocess

/// Builds a supervisor's ``Runtime/PodLaunch`` from the replica, making the pod's volume
/// directories first, and sweeps directories nothing refers to any more.
///
/// Layout under the data dir: `volumes/pvc-<claim uid>` for `local` persistent volumes
/// (the path their PersistentVolume records), `pool/` for replicated ones (``BtrfsPool``), `pods/<pod uid>/logs` for container logs,
/// `pods/<pod uid>/volumes/<name>` for `emptyDir` volumes, which live as long as the pod, and
/// `keepers/<pod uid>` for the sockets of the pods' keepers.
/// Each is created 0700 (the logs 0750, ``Runtime/PodLogFiles/directoryMode``) by `mkdir`
/// itself (``Runtime/PrivateFile``): a workload's data is no other user's to read.
struct PodLaunchPlan {
    let node: String
    let dataDirectory: String
    let executable: String
    let searchPath: String
    /// Replicated volumes' data, when this agent keeps a volume pool.
    let volumes: VolumeReplication?
    /// The CRI runtime pods run in as containers; nil: host processes.
    let containerRuntime: CRIEndpoint?
    /// The pods' nameserver (`--cluster-dns`) and the cluster's zone, for their resolv.conf.
    var clusterDNS: String?
    var clusterDomain = "cluster.local"
    /// How long a pod with a replicated volume may go without a lease renewal before its
    /// keeper freezes it: 3/8 of the lease (1.5 s of the default 4 s), half a renewal interval
    /// (a quarter of the lease) past the renewal that did not come.
    let freezeAfter: Duration

    enum Failure: Error, CustomStringConvertible {
        case claimNotBound(String)
        case volumeElsewhere(String, node: String?)
        case directory(String, any Error)
        case noVolumePool(String)
        case volumeMissing(String)
        case badFSGroup(Int64)
        case badMedium(volume: String, String)
        case memoryMount(volume: String, String)

        var description: String {
            switch self {
            case .claimNotBound(let claim): "claim \(claim) is not bound yet"
            case .volumeElsewhere(let volume, let node): "volume \(volume) lives on node \(node ?? "unknown"), not here"
            case .directory(let path, let error): "cannot create \(path): \(error)"
            case .noVolumePool(let volume): "volume \(volume) is replicated but this agent keeps no volume pool (--volume-pool-size)"
            case .volumeMissing(let reason): reason
            case .badFSGroup(let group): "securityContext.fsGroup \(group) is not a group id (0 to 4294967294)"
            case .badMedium(let volume, let medium): "volume \(volume): emptyDir.medium \(medium) is not supported (\"\" or Memory)"
            case .memoryMount(let volume, let reason): "volume \(volume): cannot mount its memory (tmpfs): \(reason)"
            }
        }
    }

    func podDirectory(uid: String) -> String { "\(dataDirectory)/pods/\(uid)" }

    /// The running `ordinal` binary, which also runs images `ordinal/<tool>`.
    static var runningExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// The pod keeper, installed beside the `ordinal` binary.
    static func keeper(beside executable: String) -> String {
        URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("ordinal-keeper").path
    }

    var keeper: String { Self.keeper(beside: executable) }

    /// Where pod keepers listen, one socket per pod uid; the directory is the agent's alone (0700).
    var keeperDirectory: String { Self.keeperDirectory(dataDirectory) }

    static func keeperDirectory(_ dataDirectory: String) -> String { "\(dataDirectory)/keepers" }

    /// Where the keeper of the pod with this uid listens: a name of 16 hex digits (the first
    /// 8 bytes of the uid's SHA-256), so the data dir may be as long as `sockaddr_un` allows
    /// with room for it, whatever the uid's length. An agent adopts every keeper in the
    /// directory whatever its name; the keeper's own record says which pod it holds.
    func keeperSocket(uid: String) -> String {
        let digest = SHA256.hash(data: Array(uid.utf8)).prefix(8)
        return "\(keeperDirectory)/" + digest.map { String(format: "%02x", $0) }.joined()
    }

    /// The cgroup (relative to each hierarchy) a container pod's sandbox runs under, which its
    /// keeper kills when the lease passes: one per agent and pod, named by the node and the
    /// socket's hash of the uid, so it is short and safe whatever the uid holds.
    func sandboxCgroup(uid: String) -> String {
        "ordinal/\(node)/" + (keeperSocket(uid: uid).split(separator: "/").last.map(String.init) ?? "")
    }

    /// The longest data dir path whose keeper sockets fit `sockaddr_un`.
    static let longestDataDirectory = PodSupervisor.longestSocketPath - "/keepers/".count - 16

    func launch(_ pod: Pod, state: ClusterState, lease: MonotonicDeadline) throws(Failure) -> PodLaunch {
        let uid = pod.metadata.uid ?? ""
        let namespace = pod.metadata.namespace ?? "default"
        var paths: [String: String] = [:]
        var replicated = false
        for volume in pod.spec.volumes ?? [] {
            let path: String
            if let claimName = volume.persistentVolumeClaim?.claimName {
                guard let volumeName = state.claims[ObjectKey(namespace: namespace, name: claimName)]?.spec.volumeName,
                      let persistent = state.volumes[ObjectKey(namespace: "", name: volumeName)]
                else { throw .claimNotBound(claimName) }
                if let source = persistent.spec.replicated {
                    replicated = true
                    guard source.primary == node else { throw .volumeElsewhere(volumeName, node: source.primary) }
                    guard let volumes else { throw .noVolumePool(volumeName) }
                    do { paths[volume.name] = try volumes.prepare(persistent) } catch { throw .volumeMissing(error.description) }
                    try openToContainers(paths[volume.name]!, fsGroup: pod.spec.securityContext?.fsGroup)
                    continue
                }
                guard let local = persistent.spec.local?.path else { throw .claimNotBound(claimName) }
                guard persistent.node == node else { throw .volumeElsewhere(volumeName, node: persistent.node) }
                path = local
            } else {
                path = "\(podDirectory(uid: uid))/volumes/\(volume.name)"
            }
            try makeDirectory(path)
            if let emptyDir = volume.emptyDir { try mountMedium(emptyDir, at: path, volume: volume.name) }
            try openToContainers(path, fsGroup: pod.spec.securityContext?.fsGroup)
            paths[volume.name] = path
        }
        let logs = "\(podDirectory(uid: uid))/logs"
        try makeDirectory(logs, mode: PodLogFiles.directoryMode)
        return PodLaunch(
            namespace: namespace, name: pod.metadata.name, uid: uid,
            ordinal: pod.metadata.labels?[Pod.Keys.podIndex].flatMap(Int.init),
            podIP: pod.status?.podIP ?? "", nodeName: node, fencingEpoch: pod.fencingEpoch,
            containers: pod.spec.containers, volumePaths: paths, logDirectory: logs,
            terminationGracePeriodSeconds: pod.spec.terminationGracePeriodSeconds ?? 30,
            restartPolicy: pod.spec.restartPolicy ?? "Always",
            helperExecutable: executable, keeperExecutable: keeper, searchPath: searchPath, leaseDeadline: lease,
            sandbox: containerRuntime.map { runtime in
                let hostname = pod.spec.hostname ?? pod.metadata.name
                // The kubelet's resolv.conf for ClusterFirst: the cluster's resolver, the pod's
                // namespace first in the search path, ndots:5.
                return SandboxSettings(endpoint: runtime.description, cgroup: sandboxCgroup(uid: uid), dnsServers: clusterDNS.map { [$0] } ?? [],
                                dnsSearches: clusterDNS == nil ? [] : ["\(namespace).svc.\(clusterDomain)", "svc.\(clusterDomain)", clusterDomain],
                                dnsOptions: clusterDNS == nil ? [] : ["ndots:5"],
                                fqdn: pod.spec.subdomain.map { "\(hostname).\($0).\(namespace).svc.\(clusterDomain)" }, hostname: hostname)
            },
            securityContext: pod.spec.securityContext, freezeAfter: replicated ? freezeAfter : nil
        )
    }

    /// A volume's root is 0777 when pods run as containers, as the kubelet makes an `emptyDir`
    /// and local-volume provisioners make a volume: a container's processes run as its image's
    /// users (nginx's workers as www-data), not the agent's. The data dir, 0700, still keeps
    /// every other user of the host out. With `fsGroup` the root belongs to that group and is
    /// set-group-ID, so what the pod writes there is the group's, as the kubelet does it.
    private func openToContainers(_ path: String, fsGroup: Int64?) throws(Failure) {
        guard containerRuntime != nil else { return }
        var mode: mode_t = 0o777
        if let fsGroup {
            guard let group = gid_t(exactly: fsGroup), group < gid_t.max else { throw .badFSGroup(fsGroup) }
            guard chown(path, uid_t.max, group) == 0 else { throw .directory(path, POSIXError(POSIXErrorCode(rawValue: errno) ?? .EPERM)) }
            mode |= mode_t(S_ISGID)
        }
        guard chmod(path, mode) == 0 else { throw .directory(path, POSIXError(POSIXErrorCode(rawValue: errno) ?? .EPERM)) }
    }

    /// `medium: Memory` is a tmpfs on the volume's directory, of at most `sizeLimit` (the
    /// kubelet's behavior; it needs root), on either runtime; the default medium is the directory.
    private func mountMedium(_ source: Volume.EmptyDirSource, at path: String, volume: String) throws(Failure) {
        switch source.medium ?? "" {
        case "": return
        case "Memory":
            var size: Int64?
            if let limit = source.sizeLimit {
                guard let quantity = ResourceQuantity(limit) else { throw .badMedium(volume: volume, "sizeLimit \(limit)") }
                size = quantity.ceilingUnits
            }
            if let failure = MemoryMount.mount(at: path, sizeBytes: size) { throw .memoryMount(volume: volume, failure) }
        case let other:
            throw .badMedium(volume: volume, other)
        }
    }

    private func makeDirectory(_ path: String, mode: mode_t = 0o700) throws(Failure) {
        do {
            try PrivateFile.makeDirectory(path, mode: mode)
        } catch {
            throw .directory(path, error)
        }
    }

    /// Removes the directories of local volumes whose PersistentVolume is gone (its claim was
    /// deleted) and of pods that no longer exist and run nothing here. Called only on a replica
    /// that is caught up with the leader, so "gone" is never "not seen yet".
    /// - Returns: the paths removed.
    func sweep(state: ClusterState, running: Set<String>) -> [String] {
        let files = FileManager.default
        var removed: [String] = []
        let volumeRoot = "\(dataDirectory)/volumes"
        let known = Set(state.volumes.values.compactMap { $0.node == node ? $0.spec.local?.path : nil })
        for name in (try? files.contentsOfDirectory(atPath: volumeRoot)) ?? [] where name.hasPrefix("pvc-") {
            let path = "\(volumeRoot)/\(name)"
            if !known.contains(path), (try? files.removeItem(atPath: path)) != nil { removed.append(path) }
        }
        let uids = Set(state.pods.values.compactMap(\.metadata.uid)).union(running)
        for uid in (try? files.contentsOfDirectory(atPath: "\(dataDirectory)/pods")) ?? [] where !uids.contains(uid) {
            let path = podDirectory(uid: uid)
            for volume in (try? files.contentsOfDirectory(atPath: "\(path)/volumes")) ?? [] {
                MemoryMount.unmount("\(path)/volumes/\(volume)")
            }
            if (try? files.removeItem(atPath: path)) != nil { removed.append(path) }
        }
        return removed
    }
}
