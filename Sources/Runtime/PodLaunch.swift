package import ClusterState

/// Everything a supervisor needs to run one pod; the agent builds it from its replica, and the
/// pod's keeper keeps it (JSON, the `launch` frame) for an agent that adopts the pod later.
package struct PodLaunch: Codable, Sendable, Hashable {
    package var namespace: String
    package var name: String
    package var uid: String
    /// `POD_ORDINAL`; omitted from the environment when nil.
    package var ordinal: Int?
    package var podIP: String
    package var nodeName: String
    package var fencingEpoch: UInt64
    package var containers: [Container]
    /// Pod volume name → absolute host directory, which exists.
    package var volumePaths: [String: String]
    /// Absolute; created before the keeper starts, which appends `<container>.log` there (``PodLogFiles``).
    package var logDirectory: String
    /// The agent fills in Kubernetes' default of 30 when the spec has none.
    package var terminationGracePeriodSeconds: Int64
    /// `Always`, `OnFailure` or `Never`; anything else is treated as `Always`, as the API defaults it.
    package var restartPolicy: String
    /// The absolute path of the `ordinal` binary, which runs images `ordinal/<tool>`.
    package var helperExecutable: String
    /// The absolute path of `ordinal-keeper`, which also runs the image `ordinal/pause`.
    package var keeperExecutable: String
    /// Resolves executables, and is the containers' `PATH`.
    package var searchPath: String
    package var leaseDeadline: MonotonicDeadline
    /// Set when the pod runs as a container sandbox through a CRI runtime; nil for host processes.
    package var sandbox: SandboxSettings?
    /// The pod's `securityContext` (the container runtime honors it).
    package var securityContext: PodSecurityContext?
    /// For a pod with a replicated volume: how long without a lease renewal before its keeper
    /// freezes it (nothing written that cannot ship), thawed at the next renewal; nil: never.
    package var freezeAfter: Duration?

    package init(
        namespace: String, name: String, uid: String, ordinal: Int?, podIP: String, nodeName: String,
        fencingEpoch: UInt64, containers: [Container], volumePaths: [String: String], logDirectory: String,
        terminationGracePeriodSeconds: Int64, restartPolicy: String, helperExecutable: String,
        keeperExecutable: String, searchPath: String, leaseDeadline: MonotonicDeadline, sandbox: SandboxSettings? = nil,
        securityContext: PodSecurityContext? = nil, freezeAfter: Duration? = nil
    ) {
        self.freezeAfter = freezeAfter
        self.sandbox = sandbox
        self.securityContext = securityContext
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.ordinal = ordinal
        self.podIP = podIP
        self.nodeName = nodeName
        self.fencingEpoch = fencingEpoch
        self.containers = containers
        self.volumePaths = volumePaths
        self.logDirectory = logDirectory
        self.terminationGracePeriodSeconds = terminationGracePeriodSeconds
        self.restartPolicy = restartPolicy
        self.helperExecutable = helperExecutable
        self.keeperExecutable = keeperExecutable
        self.searchPath = searchPath
        self.leaseDeadline = leaseDeadline
    }

    /// The grace period as a duration, never negative.
    /// At most an int32 of seconds (68 years), so deadlines computed from it cannot overflow.
    var gracePeriod: Duration { .seconds(min(max(0, terminationGracePeriodSeconds), Int64(Int32.max))) }
}

/// What a container pod needs beyond its spec: the CRI runtime that runs it and the cgroup its
/// sandbox is placed under, which the pod's keeper kills when the lease passes.
package struct SandboxSettings: Codable, Sendable, Hashable {
    /// `unix:///…`, the agent's `--container-runtime-endpoint`.
    package var endpoint: String
    /// Relative to each cgroup hierarchy (`ordinal/<node>/<pod>`); the sandbox's cgroup parent is
    /// this with a leading `/`, as containerd's cgroupfs driver takes it.
    package var cgroup: String
    /// Servers, searches and options of the pods' `/etc/resolv.conf`; empty servers: the host's file.
    package var dnsServers: [String]
    package var dnsSearches: [String]
    package var dnsOptions: [String]
    /// The pod's name in its governing Service, `<hostname>.<subdomain>.<ns>.svc.<zone>`, when
    /// `subdomain` names one (every StatefulSet pod): the kubelet puts it in `/etc/hosts`.
    package var fqdn: String?
    /// The sandbox's hostname: `spec.hostname` when the pod names one, else its name (absent
    /// in settings written before it was carried: the name).
    package var hostname: String?

    package init(endpoint: String, cgroup: String, dnsServers: [String] = [], dnsSearches: [String] = [], dnsOptions: [String] = [],
                 fqdn: String? = nil, hostname: String? = nil) {
        self.endpoint = endpoint
        self.cgroup = cgroup
        self.dnsServers = dnsServers
        self.dnsSearches = dnsSearches
        self.dnsOptions = dnsOptions
        self.fqdn = fqdn
        self.hostname = hostname
    }
}
