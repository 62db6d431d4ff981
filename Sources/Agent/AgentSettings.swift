package import CRI
package import AgentCore
package import Basics
package import Consensus
package import Membership
package import ClusterState
import Storage
package import Runtime
package import DNSServer
package import Controller

/// Everything an agent is told at start: identity, addresses, key and protocol tuning.
/// Built by the CLI from flags; nothing below `Agent` reads flags or the environment.
package struct AgentSettings: Sendable {
    package var name: NodeID
    /// Where the peer listener binds.
    package var bind: Endpoint
    /// The address other agents dial; defaults to `bind`.
    package var advertise: Endpoint
    /// Seed agents to join through.
    package var join: [Endpoint]
    package var dataDirectory: String
    /// Where the HTTP API listens.
    package var api: Endpoint
    /// The 32-byte cluster keys, the primary first (`--encrypt` and the keyring file), or
    /// none for plaintext frames.
    package var keys: [[UInt8]] = []
    /// With `--api-token-file`: writes through the API need `Authorization: Bearer <token>`.
    package var apiToken: String?
    /// With `--api-cert`/`--api-key`: the API serves HTTPS with this PEM certificate chain
    /// and key.
    package var apiTLS: APITLSFiles?
    /// Run with a port reachable from the network although nothing authenticates it
    /// (`--insecure`, for labs): see ``exposureProblems``.
    package var insecure = false
    /// The cluster's pod addresses (`--pod-cidr`): loopback by default; any other block is
    /// routed between machines (``PodNetwork``). Every agent of a cluster MUST agree.
    package var podCIDR = NodeRegistrar.loopbackPodCIDR
    /// How many pods this agent takes (`--max-pods`).
    package var maxPods = 110
    /// The CRI runtime that runs this agent's pods as containers (`--container-runtime-endpoint`,
    /// kubelet's flag); nil: pods are host processes (the process runtime).
    package var containerRuntimeEndpoint: CRIEndpoint?
    /// The pods' nameserver (`--cluster-dns`, kubelet's flag): written into container pods'
    /// `/etc/resolv.conf`, and served by this agent on port 53 (shared with the machine's
    /// other agents); nil: pods use the host's resolver.
    package var clusterDNS: String?
    /// Where this agent writes the CNI network of its own containerd, from its Node's pod
    /// CIDR (`--cni-conf-dir`); nil: the runtime's network is configured by whoever started
    /// it (one shared bridge, `scripts/runtime up`).
    package var cniConfDirectory: String?
    /// When unused images are removed from the container runtime (the kubelet's image GC
    /// flags).
    package var imageCollection = ImageCollector.Policy()
    /// The size of this agent's btrfs volume pool (`--volume-pool-size`); nil: no pool, so
    /// this agent holds no replicated volumes and its volumes are local.
    package var volumePoolBytes: Int64?
    /// How often a primary snapshots and ships its replicated volumes.
    package var volumeInterval: Duration = .seconds(1)
    /// Where the DNS server listens, UDP and TCP (`--dns`, default the bind host, port 7453).
    package var dns: Endpoint?
    /// The cluster zone and the answers' TTL (`--cluster-domain`, `--dns-ttl`).
    package var clusterDomain = "cluster.local"
    package var dnsTTL: UInt32 = 5
    /// Connection caps of the API, DNS and peer listeners.
    package var listeners = ListenerSettings()
    /// How the DNS server bounds its clients (`--dns-max-connections`,
    /// `--dns-max-connections-per-source`, `--dns-rate-limit`).
    package var dnsServer = DNSServerSettings()
    package var membership = Membership.Settings()
    /// Raft timing, counted in ticks of `core.raftTick`. The defaults (tick 50 ms, heartbeat
    /// every tick, election after 6–12 ticks) fail over in well under a second on a LAN.
    package var raft: Raft.Settings = {
        var settings = Raft.Settings()
        settings.electionTicks = 6
        settings.heartbeatTicks = 1
        return settings
    }()
    /// Bootstrapping, voter upkeep and the Raft tick.
    package var core = AgentCoreSettings()
    /// How long a leaving agent keeps its transport up so the `left` news gets out.
    package var leavePropagation: Duration = .milliseconds(500)
    /// Metadata every agent publishes, plus the caller's own.
    package var extraMetadata: [String: String] = [:]

    package init(name: NodeID, bind: Endpoint, advertise: Endpoint? = nil, join: [Endpoint], dataDirectory: String, api: Endpoint) {
        self.name = name
        self.bind = bind
        self.advertise = advertise ?? bind
        self.join = join
        self.dataDirectory = dataDirectory
        self.api = api
    }

    /// Facts published through gossip so any agent can find this one's API.
    package var metadata: [String: String] {
        var metadata = extraMetadata
        metadata[MetadataKey.api] = api.description
        metadata["version"] = OrdinalVersion.current
        metadata[MetadataKey.logFormat] = LogFormat.newest.description
        metadata["role"] = "agent"
        metadata[MetadataKey.volumes] = volumeRoot
        metadata[MetadataKey.maxPods] = String(maxPods)
        if let volumePoolBytes { metadata[MetadataKey.volumePool] = String(volumePoolBytes) }
        return metadata
    }

    /// Where this agent keeps pod volumes: `<data-dir>/volumes`.
    var volumeRoot: String {
        (dataDirectory.hasSuffix("/") ? dataDirectory : dataDirectory + "/") + "volumes"
    }
}

extension AgentSettings {
    /// Why this agent must not start as configured: a peer port reachable from the network
    /// with no cluster key (anyone could join, forge Raft and lease traffic), or an API
    /// reachable from the network with no token (anyone could run commands as the agent's
    /// user through a StatefulSet). Empty on loopback, with credentials, or with
    /// ``insecure``.
    package var exposureProblems: [String] {
        guard !insecure else { return [] }
        var problems: [String] = []
        if !bind.isLoopback && keys.isEmpty {
            problems.append("the peer port \(bind) is reachable from the network but no cluster key is set: give --encrypt (make a key with `head -c 32 /dev/urandom | base64`), or --insecure for a lab")
        }
        if !api.isLoopback && apiToken == nil {
            problems.append("the API \(api) is reachable from the network but no token is set: give --api-token-file, or --insecure for a lab")
        }
        if !api.isLoopback && apiTLS == nil {
            problems.append("the API \(api) is reachable from the network but serves plain HTTP, which shows the token to anyone on the path: give --api-cert and --api-key, or --insecure for a lab")
        }
        return problems
    }
}

/// The PEM files the API's TLS is made of.
package struct APITLSFiles: Sendable, Equatable {
    /// The server's certificate, followed by any intermediates.
    package var certificateChain: String
    package var privateKey: String

    package init(certificateChain: String, privateKey: String) {
        self.certificateChain = certificateChain
        self.privateKey = privateKey
    }
}
