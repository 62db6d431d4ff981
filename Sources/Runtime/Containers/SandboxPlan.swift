package import CRI
package import ClusterState

/// A pod as the CRI runtime is asked to run it, the way a kubelet translates a pod spec: one
/// sandbox (its own network, IPC and UTS namespaces, hostname the pod's name, cgroup parent the
/// keeper fences) and one container config per container. Pure, so every rule is table-tested.
package struct SandboxPlan: Sendable {
    package let launch: PodLaunch
    package let settings: SandboxSettings

    /// The labels that find a pod's sandbox again (an agent that restarted lists by them).
    package enum Label {
        package static let podUID = "io.kubernetes.pod.uid"
        package static let podName = "io.kubernetes.pod.name"
        package static let podNamespace = "io.kubernetes.pod.namespace"
        package static let containerName = "io.kubernetes.container.name"
        package static let fencingEpoch = "ordinal.io/fencing-epoch"
        package static let node = "ordinal.io/node"
    }

    package enum Failure: Error, Equatable, CustomStringConvertible {
        case volumeNotFound(container: String, volume: String)
        case badSubPath(container: String, String)
        case badQuantity(container: String, field: String, String)
        case privileged(container: String)
        case badID(container: String, field: String, Int64)
        case nonRoot(container: String, String)

        package var description: String {
            switch self {
            case .volumeNotFound(let container, let volume): "container \(container) mounts volume \(volume), which the pod does not have"
            case .badSubPath(let container, let path): "container \(container): subPath \(path) must be relative and must not contain '..'"
            case .badQuantity(let container, let field, let value): "container \(container): \(field) \(value) is not a quantity"
            case .privileged(let container): "container \(container): securityContext.privileged is not allowed on this agent"
            case .badID(let container, let field, let id): "container \(container): securityContext.\(field) \(id) must be between 0 and 2147483647"
            case .nonRoot(_, let message): message
            }
        }
    }

    package init(launch: PodLaunch, settings: SandboxSettings) {
        self.launch = launch
        self.settings = settings
    }

    package var labels: [String: String] {
        [Label.podUID: launch.uid, Label.podName: launch.name, Label.podNamespace: launch.namespace,
         Label.fencingEpoch: String(launch.fencingEpoch), Label.node: launch.nodeName]
    }

    /// The sandbox's hostname, as ``SandboxSettings/hostname`` says.
    var hostname: String { settings.hostname ?? launch.name }

    package var sandboxConfig: Runtime_V1_PodSandboxConfig {
        .build {
            $0.metadata = .build { $0.name = launch.name; $0.uid = launch.uid; $0.namespace = launch.namespace; $0.attempt = 0 }
            $0.hostname = hostname
            $0.logDirectory = launch.logDirectory
            $0.labels = labels
            if !settings.dnsServers.isEmpty {
                $0.dnsConfig = .build {
                    $0.servers = settings.dnsServers
                    $0.searches = settings.dnsSearches
                    $0.options = settings.dnsOptions
                }
            }
            $0.linux = .build { $0.cgroupParent = "/" + settings.cgroup }
        }
    }

    /// The log file of a container, relative to the sandbox's log directory: the CRI format's
    /// `<container>.cri.log` beside the process runtime's plain files (``PodLogFiles``).
    package static func logPath(container: String) -> String { "\(container).cri.log" }

    /// The config of `container`'s `attempt`-th run. `command` and `args` go to the runtime as
    /// the spec has them, and containerd resolves them against the image's entrypoint and cmd as
    /// Kubernetes documents (a command replaces both; args alone replace the cmd).
    /// - Parameter hostsFile: the pod's `/etc/hosts` (``hostsFile(podIP:)``) on the host,
    ///   mounted into the container unless it mounts a volume there itself, as the kubelet does.
    package func containerConfig(_ container: Container, attempt: UInt32, image: String, podIP: String,
                                 imageUser: ImageUser? = nil, hostsFile: String? = nil) throws(Failure) -> Runtime_V1_ContainerConfig {
        var mounts = try mounts(of: container)
        if let hostsFile, !mounts.contains(where: { $0.containerPath == "/etc/hosts" }) {
            mounts.append(.build { $0.containerPath = "/etc/hosts"; $0.hostPath = hostsFile })
        }
        let resources = try resources(of: container)
        let security = try securityContext(of: container, imageUser: imageUser)
        return .build {
            $0.metadata = .build { $0.name = container.name; $0.attempt = attempt }
            $0.image.image = image
            $0.command = container.command ?? []
            $0.args = container.args ?? []
            $0.workingDir = container.workingDir ?? ""
            $0.envs = environment(of: container, podIP: podIP).map { variable in .build { $0.key = variable.name; $0.value = variable.value } }
            $0.mounts = mounts
            $0.labels = labels.merging([Label.containerName: container.name]) { _, new in new }
            $0.logPath = Self.logPath(container: container.name)
            $0.linux = .build {
                $0.resources = resources
                $0.securityContext = security
            }
        }
    }

    /// The kubelet's managed `/etc/hosts`: localhost, the IPv6 names, and the pod's address
    /// with its FQDN (when its subdomain names a Service) and its hostname.
    package func hostsFile(podIP: String) -> String {
        let names = [settings.fqdn, hostname].compactMap { $0 }.joined(separator: "\t")
        return """
            # Kubernetes-managed hosts file.
            127.0.0.1\tlocalhost
            ::1\tlocalhost ip6-localhost ip6-loopback
            fe00::0\tip6-localnet
            fe00::0\tip6-mcastprefix
            fe00::1\tip6-allnodes
            fe00::2\tip6-allrouters
            \(podIP)\t\(names)

            """
    }

    /// Ordinal's pod variables (as on the process runtime, `POD_IP` the sandbox's address and
    /// `VOLUME_<NAME>` the mount path inside the container), then the spec's env with `$(VAR)` expanded. `PATH` and `HOME` are
    /// left to the image.
    package func environment(of container: Container, podIP: String) -> [(name: String, value: String)] {
        var variables: [(name: String, value: String)] = []
        func set(_ name: String, _ value: String) {
            if let index = variables.firstIndex(where: { $0.name == name }) { variables[index].value = value } else { variables.append((name, value)) }
        }
        set("POD_NAME", launch.name)
        set("POD_NAMESPACE", launch.namespace)
        if !podIP.isEmpty { set("POD_IP", podIP) }
        if let ordinal = launch.ordinal { set("POD_ORDINAL", String(ordinal)) }
        set("POD_UID", launch.uid)
        set("NODE_NAME", launch.nodeName)
        for mount in container.volumeMounts ?? [] { set(ContainerEnvironment.volumeVariable(mount.name), mount.mountPath) }
        for entry in container.env ?? [] {
            let known = Dictionary(variables.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
            set(entry.name, VariableExpansion.expand(entry.value ?? "", known))
        }
        return variables
    }

    /// Each volume mount at its `mountPath`, from the volume's host directory (or a `subPath`
    /// below it, created when missing as the kubelet does).
    package func mounts(of container: Container) throws(Failure) -> [Runtime_V1_Mount] {
        try (container.volumeMounts ?? []).map { (mount: VolumeMount) throws(Failure) -> Runtime_V1_Mount in
            guard let host = launch.volumePaths[mount.name] else { throw .volumeNotFound(container: container.name, volume: mount.name) }
            var path = host
            if let subPath = mount.subPath, !subPath.isEmpty {
                guard !subPath.hasPrefix("/"), !subPath.split(separator: "/").contains("..") else {
                    throw .badSubPath(container: container.name, subPath)
                }
                path += "/" + subPath
            }
            return .build {
                $0.containerPath = mount.mountPath
                $0.hostPath = path
                $0.readonly = mount.readOnly ?? false
            }
        }
    }

    /// `limits.memory` as the memory limit, `limits.cpu` as a CFS quota over a 100 ms period,
    /// `requests.cpu` (else the limit) as shares, as the kubelet computes them.
    package func resources(of container: Container) throws(Failure) -> Runtime_V1_LinuxContainerResources {
        func quantity(_ field: String, _ map: [String: String]?, _ key: String) throws(Failure) -> ResourceQuantity? {
            guard let text = map?[key] else { return nil }
            guard let value = ResourceQuantity(text) else { throw .badQuantity(container: container.name, field: field, text) }
            return value
        }
        let limits = container.resources?.limits
        let requests = container.resources?.requests
        let memory = try quantity("resources.limits.memory", limits, "memory")
        let cpuLimit = try quantity("resources.limits.cpu", limits, "cpu")
        let cpuRequest = try quantity("resources.requests.cpu", requests, "cpu") ?? cpuLimit
        return .build {
            if let memory { $0.memoryLimitInBytes = memory.ceilingUnits }
            if let cpuLimit {
                $0.cpuPeriod = Self.cpuPeriod
                // At least 1 ms, the kernel's minimum quota.
                $0.cpuQuota = max(1000, cpuLimit.milli.multipliedReportingOverflow(by: Self.cpuPeriod).overflow ? Int64.max : cpuLimit.milli * Self.cpuPeriod / 1000)
            }
            // 2 shares for none, as the kubelet gives a best-effort container.
            let shares = (cpuRequest?.milli ?? 0).multipliedReportingOverflow(by: 1024)
            $0.cpuShares = shares.overflow ? 262_144 : min(262_144, max(2, shares.partialValue / 1000))
        }
    }

    /// The CFS period, in microseconds.
    static let cpuPeriod: Int64 = 100_000
}
