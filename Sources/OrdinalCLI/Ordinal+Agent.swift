import CRI
import Agent
import ArgumentParser
import Basics
import ClusterState
import DNSServer
import FoundationEssentials
import Logging
import PeerMessages
import Wire

/// `ordinal agent`: runs one agent until SIGTERM, then leaves the cluster gracefully.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run an agent: gossip with peers, serve the API."
    )

    @Option(help: "This agent's unique name (a DNS-1123 label).")
    var name: String

    @Option(help: "Address to listen on for peers, HOST:PORT (default port 7400).")
    var bind: String = "127.0.0.1:7400"

    @Option(help: "Address peers dial, when it differs from --bind.")
    var advertise: String?

    @Option(help: "Comma-separated peers to join through, HOST:PORT,...")
    var join: String = ""

    @Option(help: "Directory for this agent's state.")
    var dataDir: String

    @Option(help: "Address of the HTTP API (default: the bind host, port 7480).")
    var api: String?

    @Option(help: "Cluster key, base64 of 32 bytes; also ORDINAL_ENCRYPT_KEY. Frames that do not open with it are dropped. Ignored once <data-dir>/keyring exists (see `ordinal keyring`).")
    var encrypt: String?

    @Option(help: "Address of the DNS server, UDP and TCP (default: the bind host, port 7453).")
    var dns: String?

    @Option(help: "The DNS zone the agent answers for.")
    var clusterDomain: String = "cluster.local"

    @Option(help: "TTL of DNS answers, seconds.")
    var dnsTtl: UInt32 = 5

    @Option(help: "DNS TCP connections held at once; more are closed as they are accepted.")
    var dnsMaxConnections: Int = DNSServerSettings().maxConnections

    @Option(help: "DNS TCP connections held at once from one address, loopback included.")
    var dnsMaxConnectionsPerSource: Int = DNSServerSettings().maxConnectionsPerSource

    @Option(help: "DNS queries answered per second on one TCP connection (a second's burst); past it the connection is read only as the rate allows; 0: no limit.")
    var dnsTcpQueriesPerSecond: Int = DNSServerSettings().tcpQueriesPerSecond

    @Option(help: "UDP DNS answers per second to one client netblock (/24, /56) before they are dropped (every second one sent empty and truncated, so real clients retry over TCP); each loopback address counts on its own and is never slipped; 0 turns the limit off.")
    var dnsRateLimit: Int = DNSServerSettings().rateLimit

    @Option(help: "The cluster's pod addresses, the same on every agent: loopback 127.128.0.0/9 by default; another block (e.g. 198.19.0.0/16, at least a /22) is routed between machines, which needs root.")
    var podCidr: String?

    @Option(help: "How many pods this agent runs at most.")
    var maxPods: Int = 110

    @Option(help: "Keep a btrfs volume pool of this size (e.g. 2GiB, 512MiB) so this agent holds copies of replicated volumes: the data dir itself when it is on btrfs, else a loop-mounted image in it (needs root and btrfs-progs). Without it, volumes are local.")
    var volumePoolSize: String?

    @Option(help: "Run pods as containers through this CRI runtime (kubelet's flag), e.g. unix:///path/to/containerd.sock as scripts/runtime up prints it. Without it, pods are host processes.")
    var containerRuntimeEndpoint: String?

    @Option(help: "With --container-runtime-endpoint and a routed --pod-cidr: the CNI conf dir of this agent's own containerd, where the agent writes the pods' network from its Node's block (a bridge of its own, the block's first address the gateway), as a kubelet's network plugin does; scripts/runtime agent NAME prints one. Without it, the runtime's network is whatever its conf dir holds.")
    var cniConfDir: String?

    @Option(help: "With --container-runtime-endpoint: the pods' nameserver, an IPv4 address of this machine (kubelet's flag; scripts/runtime gateway prints the pods' gateway). The agent answers DNS on port 53 there, and containers resolve cluster names through it with Kubernetes' search path.")
    var clusterDns: String?

    @Option(help: "File holding a bearer token; every API request but /healthz and /version must then present it.")
    var apiTokenFile: String?

    @Option(help: "PEM certificate chain the API serves HTTPS with (with --api-key).")
    var apiCert: String?

    @Option(help: "PEM private key of --api-cert.")
    var apiKey: String?

    @Flag(help: "Allow a peer port without --encrypt and an API without TLS and a token on an address the network reaches (labs only).")
    var insecure = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @OptionGroup var gossip: GossipOptions

    @OptionGroup var consensus: ConsensusOptions

    @OptionGroup var leases: LeaseOptions
    @OptionGroup var imageGC: ImageGCOptions

    @OptionGroup var listeners: ListenerOptions

    func run() async throws {
        let level = try parseLogLevel(logLevel)
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "ordinal.agent")
        logger[metadataKey: "agent"] = "\(name)"
        let settings = try makeSettings()
        try await Agent(settings: settings, logger: logger).run()
    }

    func makeSettings() throws -> AgentSettings {
        guard isDNSLabel(name) else {
            throw ValidationError("--name \"\(name)\": must be a DNS-1123 label (lower-case letters, digits, '-', at most 63)")
        }
        let bindEndpoint = try endpoint(bind, flag: "--bind", defaultPort: 7400)
        let advertised = try advertise.map { try endpoint($0, flag: "--advertise", defaultPort: bindEndpoint.port) }
        if advertised == nil, bindEndpoint.host == "0.0.0.0" || bindEndpoint.host == "::" {
            throw ValidationError("--bind \(bind) listens on every address; give --advertise with the address peers should dial")
        }
        let seeds = try join.split(separator: ",").map { try endpoint(String($0), flag: "--join", defaultPort: 7400) }
        let apiEndpoint = try api.map { try endpoint($0, flag: "--api", defaultPort: 7480) }
            ?? Endpoint(host: bindEndpoint.host, port: 7480)
        var settings = AgentSettings(
            name: NodeID(name),
            bind: bindEndpoint,
            advertise: advertised,
            join: seeds,
            dataDirectory: URL(fileURLWithPath: dataDir).standardizedFileURL.path,
            api: apiEndpoint
        )
        let flagKey: [UInt8]?
        do {
            flagKey = try (encrypt ?? ProcessInfo.processInfo.environment["ORDINAL_ENCRYPT_KEY"]).map { try Wire.Sealer.parseKey(base64: $0) }
        } catch {
            throw ValidationError("--encrypt: \(error)")
        }
        settings.keys = try KeyringFile(dataDirectory: settings.dataDirectory).keys(orFlag: flagKey)
        guard (1 ... 100_000).contains(maxPods) else {
            throw ValidationError("--max-pods \(maxPods): expected 1 to 100000")
        }
        settings.maxPods = maxPods
        if let volumePoolSize {
            guard let bytes = ByteSize.parse(volumePoolSize), (ByteSize.minimumPool ... ByteSize.maximumPool).contains(bytes) else {
                throw ValidationError("--volume-pool-size \(volumePoolSize): expected a size from 256MiB to 1PiB such as 2GiB")
            }
            settings.volumePoolBytes = bytes
        }
        if let containerRuntimeEndpoint {
            do {
                settings.containerRuntimeEndpoint = try CRIEndpoint(containerRuntimeEndpoint)
            } catch {
                throw ValidationError("--container-runtime-endpoint: \(error)")
            }
        }
        if let clusterDns {
            guard settings.containerRuntimeEndpoint != nil else { throw ValidationError("--cluster-dns needs --container-runtime-endpoint: only container pods get a resolver of their own") }
            guard let address = IPv4.parse(clusterDns), IPv4.format(address) == clusterDns else {
                throw ValidationError("--cluster-dns \(clusterDns): expected an IPv4 address such as 198.19.255.1")
            }
            settings.clusterDNS = clusterDns
        }
        if let podCidr {
            guard let block = AddressBlock(podCidr), block.description == podCidr, block.size >= 1024 else {
                throw ValidationError("--pod-cidr \(podCidr): expected an IPv4 block such as 198.19.0.0/16, at least a /22, written with its base address")
            }
            settings.podCIDR = block
        }
        if let cniConfDir {
            guard settings.containerRuntimeEndpoint != nil else { throw ValidationError("--cni-conf-dir needs --container-runtime-endpoint: it configures that runtime's network") }
            guard !settings.podCIDR.isLoopback else { throw ValidationError("--cni-conf-dir needs a routed --pod-cidr (e.g. 198.19.0.0/16): container pods get addresses from this agent's block of it") }
            guard cniConfDir.hasPrefix("/") else { throw ValidationError("--cni-conf-dir \(cniConfDir): expected an absolute path") }
            settings.cniConfDirectory = cniConfDir
        }
        if settings.podCIDR.isLoopback, !settings.advertise.isLoopback {
            throw ValidationError("--advertise \(settings.advertise.host) is reachable from other machines but pod addresses would be loopback: give --pod-cidr (e.g. 198.19.0.0/16) so pods get addresses other machines can route to")
        }
        settings.dns = try dns.map { try endpoint($0, flag: "--dns", defaultPort: 7453) }
        settings.clusterDomain = clusterDomain
        guard dnsTtl <= 3600 else { throw ValidationError("--dns-ttl \(dnsTtl): expected 0 to 3600") }
        settings.dnsTTL = dnsTtl
        settings.dnsServer.maxConnections = dnsMaxConnections
        settings.dnsServer.maxConnectionsPerSource = dnsMaxConnectionsPerSource
        settings.dnsServer.tcpQueriesPerSecond = dnsTcpQueriesPerSecond
        settings.dnsServer.rateLimit = dnsRateLimit
        do {
            try settings.dnsServer.validate()
        } catch {
            throw ValidationError(error.description)
        }
        settings.apiToken = try apiTokenFile.map { try readTokenFile($0, flag: "--api-token-file") }
        switch (apiCert, apiKey) {
        case (let certificate?, let key?):
            for (flag, path) in [("--api-cert", certificate), ("--api-key", key)] where !FileManager.default.isReadableFile(atPath: path) {
                throw ValidationError("\(flag) \(path): cannot read it")
            }
            settings.apiTLS = APITLSFiles(certificateChain: certificate, privateKey: key)
        case (nil, nil):
            break
        default:
            throw ValidationError("--api-cert and --api-key go together")
        }
        settings.membership = try gossip.settings()
        try consensus.apply(to: &settings)
        try leases.apply(to: &settings)
        try imageGC.apply(to: &settings)
        try listeners.apply(to: &settings)
        settings.insecure = insecure
        if let problem = settings.exposureProblems.first { throw ValidationError(problem) }
        return settings
    }
}

/// `HOST:PORT` from a flag, with a clear error naming the flag.
func endpoint(_ text: String, flag: String, defaultPort: UInt16) throws -> Endpoint {
    guard let parsed = Endpoint(parsing: text, defaultPort: defaultPort) else {
        throw ValidationError("\(flag) \"\(text)\": expected HOST:PORT with a port in 1...65535")
    }
    return parsed
}

func isDNSLabel(_ text: String) -> Bool {
    let bytes = Array(text.utf8)
    guard (1...63).contains(bytes.count), bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-") else {
        return false
    }
    return bytes.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") }
}

func parseLogLevel(_ text: String) throws -> Logger.Level {
    guard let level = Logger.Level(rawValue: text.lowercased()) else {
        throw ValidationError("--log-level \"\(text)\": expected one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return level
}
