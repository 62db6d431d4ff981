import CRI
package import Logging
import API
import ClusterState
import AgentCore
import Consensus
import Basics
import Exec
import DNS
import DNSServer
import UnixSignals
import FoundationEssentials
import Hummingbird
import Listening
import Membership
import Runtime
import ServiceLifecycle
import Telemetry
import Transport
import PeerMessages
import Wire

/// The composition root: one agent process as a `ServiceGroup` of the peer transport, the
/// node driver and the HTTP API, stopped gracefully on SIGTERM or SIGINT.
///
/// Services shut down in reverse order, so the node driver announces its leave while the
/// transport is still up, and the transport closes last.
package struct Agent: Sendable {
    package let settings: AgentSettings
    private let logger: Logger

    package init(settings: AgentSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    /// Runs until SIGTERM/SIGINT, then leaves the cluster and returns.
    /// - Throws: ``AgentStartError`` when the data directory cannot be used, or the error of
    ///   a service that failed (an address already in use, for example).
    package func run() async throws {
        try prepareDataDirectory()
        try checkPodKeeper()
        try settings.membership.validate()
        try settings.raft.validate()
        let zone: DNSName
        do {
            zone = try DNSName(settings.clusterDomain)
            try DNSZoneSettings(zone: zone, ttl: settings.dnsTTL).validate()
        } catch {
            throw AgentStartError(reason: "--cluster-domain \(settings.clusterDomain): \(error)")
        }
        do {
            try settings.dnsServer.validate()
        } catch {
            throw AgentStartError(reason: error.description)
        }
        let store: AgentStore
        do {
            store = try AgentStore(directory: settings.dataDirectory, zone: zone)
        } catch {
            throw AgentStartError(reason: "refusing to start on \(settings.dataDirectory): \(error)")
        }
        let keyring: Wire.Keyring
        do {
            keyring = try Wire.Keyring(keys: settings.keys)
        } catch {
            throw AgentStartError(reason: "cluster keys: \(error)")
        }
        if keyring.isKeyed {
            do {
                try KeyringFile(dataDirectory: settings.dataDirectory).save(keyring.keys)
            } catch {
                throw AgentStartError(reason: "cannot save the keyring in \(settings.dataDirectory): \(error)")
            }
        }
        let registry = MetricsRegistry()
        var transportSettings = TransportSettings(bind: settings.bind)
        transportSettings.identity = settings.name
        transportSettings.maxInboundConnections = settings.listeners.peerConnections
        transportSettings.maxUnprovenConnections = settings.listeners.peerUnprovenConnections
        transportSettings.maxUnprovenPerAddress = settings.listeners.peerUnprovenPerSource
        transportSettings.acceptFailed = { ListenerMetrics.acceptFailed(registry, listener: "peer", reason: $0) }
        transportSettings.blockedSources = { ListenerMetrics.blocked(registry, listener: "peer", $0) }
        let mailbox = Mailbox<NodeDriver.Input> { $0.approximateBytes }
        let transport = PeerTransport(
            settings: transportSettings,
            codec: Wire.PeerCodec(keyring: keyring, maxFrameBytes: transportSettings.maxFrameBytes),
            logger: logger,
            deliver: { mailbox.post(contentsOf: $0.map(NodeDriver.Input.peer)) }
        )
        var pool: BtrfsPool?
        if let size = settings.volumePoolBytes {
            do {
                pool = try BtrfsPool.open(dataDirectory: settings.dataDirectory, sizeBytes: size)
            } catch {
                throw AgentStartError(reason: "--volume-pool-size: \(error)")
            }
        }
        defer { pool?.close() }
        let metrics = AgentMetrics(registry: registry)
        let containerRuntime: CRIClient?
        do {
            containerRuntime = try settings.containerRuntimeEndpoint.map { try CRIClient(endpoint: $0) }
        } catch {
            throw AgentStartError(reason: "--container-runtime-endpoint: \(error)")
        }
        let driver = NodeDriver(
            settings: settings, transport: transport, keyring: keyring, store: store, mailbox: mailbox, volumePool: pool,
            containerRuntime: containerRuntime, metrics: metrics, logger: logger
        )
        let view = AgentView(nodeName: settings.name.name, driver: driver, store: store, leaderStatus: LeaderStatusClient(settings: settings))
        let scrape = MetricsEndpoint(registry: registry) { [settings] in
            metrics.render(AgentMetrics.Sample(
                members: driver.members, raft: driver.raftStatus, gossip: driver.gossipCounters, transport: transport.counters.snapshot,
                cluster: store.cluster.state, node: settings.name.name, databaseBytes: AgentMetrics.databaseBytes(path: store.path)
            ))
        }
        let descriptorLimit = DescriptorBudget.raiseSoftLimit()
        let descriptors = DescriptorBudget(reserve: ListenerSettings.reservedDescriptors(maxPods: settings.maxPods, peerConnections: transportSettings.maxInboundConnections))
        if descriptors.allowed < settings.listeners.apiConnections + settings.dnsServer.maxConnections {
            logger.warning("the descriptor limit leaves the listeners fewer connections than their caps; past it, connections are refused", metadata: [
                "descriptors.limit": "\(descriptorLimit)", "descriptors.for-connections": "\(descriptors.allowed)",
            ])
        }
        ListenerMetrics.prepare(registry, listener: "api")
        for listener in ["dns", "peer"] { ListenerMetrics.prepareAcceptFailures(registry, listener: listener) }
        ListenerMetrics.blocked(registry, listener: "peer", 0)  // the DNS server's own metrics hold its series
        let apiGate = ConnectionGate(
            listener: "api", quota: ConnectionQuota(maxTotal: settings.listeners.apiConnections, maxPerSource: settings.listeners.apiConnectionsPerSource), budget: descriptors,
            logger: logger, refused: { ListenerMetrics.refused(registry, listener: "api", $0) },
            evicted: { ListenerMetrics.evicted(registry, listener: "api") },
            blocked: { ListenerMetrics.blocked(registry, listener: "api", $0) }
        )
        var apiDeadlines = RequestDeadlines()
        apiDeadlines.expired = { ListenerMetrics.timedOut(registry, listener: "api", part: $0) }
        let api = Application(
            router: API.makeRouter(view: view, token: settings.apiToken, metrics: scrape),
            server: try APIServerTLS.serverBuilder(settings.apiTLS, gate: apiGate, deadlines: apiDeadlines, exec: ExecService(
                backend: AgentExecBackend(driver: driver, store: store, token: settings.apiToken),
                peerTLS: try APIServerTLS.peerClientContext(settings.apiTLS), token: settings.apiToken, logger: logger
            )),
            configuration: .init(address: .hostname(settings.api.host, port: Int(settings.api.port)), serverName: "ordinal"),
            logger: logger
        )
        let dnsEndpoint = settings.dns ?? Endpoint(host: settings.bind.host, port: 7453)
        let responder = DNSResponder(settings: DNSZoneSettings(
            zone: zone, ttl: settings.dnsTTL, nameServerAddresses: DNSIPv4Address(parsing: settings.advertise.host).map { [$0] } ?? []
        ))
        let dnsMetrics = DNSMetrics(registry: registry)
        let answer: DNSServer.Answer = { query, overTCP in
            let (index, serial) = store.dnsZone
            return responder.respond(to: query, transport: overTCP ? .tcp : .udp, index: index, serial: serial)
        }
        let dns = DNSServer(
            endpoint: dnsEndpoint, settings: settings.dnsServer, budget: descriptors, logger: logger, metrics: dnsMetrics,
            acceptFailed: { ListenerMetrics.acceptFailed(registry, listener: "dns", reason: $0) }, generation: { store.dnsGeneration },
            answer: answer
        )
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        // The pods' resolver (--cluster-dns): the same answers on port 53 at the pods' gateway,
        // the port shared with the machine's other agents.
        // (Not when the agent's own DNS already answers there: `--dns 0.0.0.0:53`, as on a
        // machine of its own, covers the pods' nameserver at the machine's address.)
        if let address = settings.clusterDNS, containerRuntime != nil,
           !(dnsEndpoint.port == 53 && (dnsEndpoint.host == "0.0.0.0" || dnsEndpoint.host == address)) {
            var shared = settings.dnsServer
            shared.sharedPort = true
            services.append(.init(service: DNSServer(
                endpoint: Endpoint(host: address, port: 53), settings: shared, budget: descriptors, logger: logger, metrics: dnsMetrics,
                acceptFailed: { ListenerMetrics.acceptFailed(registry, listener: "dns", reason: $0) }, generation: { store.dnsGeneration },
                answer: answer
            )))
        }
        if !settings.podCIDR.isLoopback {
            var network = PodNetwork(nodeName: settings.name.name, cluster: settings.podCIDR, store: store, local: driver.localPodBlock, logger: logger)
            network.bridged = settings.cniConfDirectory != nil
            try network.prepare()
            services.append(.init(service: network))
        }
        if let confDirectory = settings.cniConfDirectory {
            services.append(.init(service: PodBridgeConfig(
                nodeName: settings.name.name, confDirectory: confDirectory, store: store,
                local: driver.localPodBlock, logger: logger
            )))
        }
        if let warning = APIServerTLS.peerTrustWarning(settings.apiTLS) { logger.warning("\(warning)") }
        logger.notice("agent starting", metadata: [
            "agent.name": "\(settings.name)",
            "peer.bind": "\(settings.bind)",
            "peer.advertise": "\(settings.advertise)",
            "api.address": "\(settings.api)",
            "dns.address": "\(dnsEndpoint)",
            "dns.pods": "\(settings.clusterDNS.map { "\($0):53" } ?? "none")",
            "wire.encrypted": "\(keyring.isKeyed)",
            "wire.keys": "\(settings.keys.count)",
            "api.tls": "\(settings.apiTLS != nil)",
            "raft.bootstrap-expect": "\(settings.core.bootstrapExpect.map(String.init) ?? "none")",
            "storage.path": "\(store.path)",
            "pods.cidr": "\(settings.podCIDR)",
            "volumes.pool": "\(pool.map { "\($0.root) (\($0.sizeBytes) bytes)" } ?? "none")",
            "pods.runtime": "\(containerRuntime.map { "containers through CRI at \($0.endpoint)" } ?? "host processes (no --container-runtime-endpoint)")",
        ])
        if let containerRuntime {
            do {
                let version = try await containerRuntime.version()
                logger.notice("container runtime", metadata: ["runtime.name": "\(version.runtimeName)", "runtime.version": "\(version.runtimeVersion)", "runtime.api": "\(version.runtimeApiVersion)"])
            } catch {
                logger.warning("the container runtime does not answer; pods wait for it", metadata: ["error": "\(error)"])
            }
        }
        let group = ServiceGroup(
            configuration: .init(
                services: services + [
                    .init(service: transport),
                    .init(service: driver),
                    .init(service: dns),
                    .init(service: api),
                    .init(service: WatchCloser(feed: store.changes)),
                    .init(
                        service: StartupCodeRelease(delay: .seconds(15), logger: logger),
                        successTerminationBehavior: .ignore
                    ),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
        logger.notice("agent stopped", metadata: ["agent.name": "\(settings.name)"])
    }

    /// Creates the data directory 0700, as etcd does: it holds the keyring, the database
    /// (every object, pods' env) and the pods' logs and volumes. One that already exists
    /// with a wider mode is used as it is — an operator may have chosen the mode — with a
    /// warning, as etcd gives.
    private func prepareDataDirectory() throws {
        let path = settings.dataDirectory
        do {
            try PrivateFile.makeDirectory(path, mode: 0o700)
        } catch {
            throw AgentStartError(reason: "cannot create data directory: \(error)")
        }
        guard FileManager.default.isWritableFile(atPath: path) else {
            throw AgentStartError(reason: "data directory \(path) is not writable")
        }
        if let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int, mode & 0o077 != 0 {
            logger.warning("the data directory is readable by other users; 0700 keeps its keyring, database and logs private", metadata: [
                "path": "\(path)", "mode": "\(String(mode, radix: 8))",
            ])
        }
    }
}

extension Agent {
    /// Every pod runs under an `ordinal-keeper` beside this binary, listening under the data
    /// dir: an agent that could not start one refuses to start at all, rather than fail each pod.
    private func checkPodKeeper() throws {
        let keeper = PodLaunchPlan.keeper(beside: PodLaunchPlan.runningExecutable)
        guard FileManager.default.isExecutableFile(atPath: keeper) else {
            throw AgentStartError(reason: "the pod keeper \(keeper) is missing: ordinal-keeper is installed beside ordinal (swift build builds both; scripts/install installs both)")
        }
        let length = settings.dataDirectory.utf8.count
        guard length <= PodLaunchPlan.longestDataDirectory else {
            throw AgentStartError(reason: "--data-dir \(settings.dataDirectory) is \(length) bytes long; pod keepers listen on Unix sockets under it, which allows at most \(PodLaunchPlan.longestDataDirectory)")
        }
    }
}

/// Why an agent refused to start.
package struct AgentStartError: Error, CustomStringConvertible {
    package var reason: String
    package var description: String { reason }
}

/// The API's window onto the running agent.
private struct AgentView: ClusterView {
    let nodeName: String
    let driver: NodeDriver
    let store: AgentStore
    let leaderStatus: LeaderStatusClient
    let sampler = ResourceSampler()

    func members() async -> [Membership.Member] {
        driver.members
    }

    func keyring(_ operation: KeyringOperation) async -> KeyringReport {
        await driver.keyring(operation)
    }

    func raftStatus() async -> RaftStatus {
        driver.raftStatus ?? RaftStatus(
            node: nodeName, role: "follower", term: 0, leader: nil, leaderAPI: nil,
            commitIndex: 0, appliedIndex: 0, lastIndex: 0, voters: [], learners: []
        )
    }

    func leaderRaftStatus() async -> RaftStatus? {
        let own = await raftStatus()
        if own.role == "leader" { return own }
        guard let address = own.leaderAPI else { return nil }
        return await leaderStatus.fetch(from: address)
    }

    func usage() async -> UsageReport {
        await sampler.report(node: nodeName, keepers: driver.pods.keepers)
    }

    func write(_ write: KeyValueWrite) async -> WriteOutcome {
        await driver.write(write)
    }

    func read(key: String) async -> KeyValueEntry? {
        store.read(key: key)
    }

    func cluster() async -> (state: ClusterState, index: UInt64) {
        store.cluster
    }

    func submit(_ commands: [ClusterCommand]) async -> SubmitOutcome {
        await driver.submit(commands)
    }

    func watch(after index: UInt64) -> AsyncStream<Change>? {
        store.changes.watch(after: index)
    }

    func podLog(_ request: PodLogRequest) async -> Result<AsyncThrowingStream<[UInt8], any Error>, StatusError> {
        driver.podLog(request)
    }
}
