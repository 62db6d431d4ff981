import CRI
import CoreMetrics
import Storage
import Telemetry
import AgentCore
import API
import Basics
import Consensus
import Foundation
import Logging
import Membership
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import Transport
import PeerMessages
import Wire

/// Runs the agent's ``AgentCore/AgentNode`` against real time, the peer transport and the
/// database: the shell that interprets its effects.
///
/// All inputs (peer messages, deadlines, proposals, shutdown) go through one ``Mailbox``;
/// the loop takes everything waiting, hands it to the node as one batch, and carries out the
/// effects in order. A failed persist stops the agent: an agent that cannot make its votes
/// and log durable must not keep taking part (etcd does the same).
final class NodeDriver: Service, Sendable {
    enum Input: Sendable {
        case event(AgentEvent)
        /// A message from a peer, stamped with the time its batch is handled.
        case peer(Wire.PeerMessage)
        case tick
        case shutdown
    }

    let settings: AgentSettings
    let transport: PeerTransport
    let store: AgentStore
    let logger: Logger
    let clock: AgentClock
    let mailbox: Mailbox<Input>
    let proposals = ProposalBook()
    let metrics: AgentMetrics
    /// The controller and pod passes the node asked for, waiting for their tasks.
    let controllerRequests = RequestSlot<ControllerRequest>()
    let podRequests = RequestSlot<PodRequest>(merge: PodRequest.merge)
    let pods = PodSupervisors()
    let peerAddresses = PeerAddresses()
    let peerLogs: PeerLogs
    let launchPlan: PodLaunchPlan
    /// The cluster keys the transport seals with, their file, and the operations in flight.
    let keyring: Wire.Keyring
    let keyringFile: KeyringFile
    let keyringCalls = KeyringCalls()
    /// The pod block made local by ``PodNetwork`` (routed pod CIDRs only).
    let localPodBlock = LocalPodBlock()
    /// Replicated volumes, when this agent keeps a volume pool.
    let volumes: VolumeReplication?
    /// The CRI runtime that runs pods as containers (`--container-runtime-endpoint`).
    let containerRuntime: CRIClient?
    /// Applies and saves keyring operations one at a time, so the file follows the keyring.
    let keyringChanges = Mutex<Void>(())
    /// The applied index the pod directories were last swept at: a sweep lists directories,
    /// so it runs when the replica moved, not on every lease renewal or report.
    let lastSweep = Atomic<UInt64>(0)
    private let published = Mutex<Published>(Published())
    private let pendingTick = Mutex<(at: Instant, task: Scheduled<Void>)?>(nil)
    private let eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next()

    /// What the API reads, refreshed after every batch.
    struct Published: Sendable {
        var members: [Membership.Member] = []
        var raft: RaftStatus?
        var gossip = Membership.Counters()
    }

    /// - Parameter mailbox: where the transport delivers peer messages (as `.peer`).
    init(
        settings: AgentSettings, transport: PeerTransport, keyring: Wire.Keyring, store: AgentStore, mailbox: Mailbox<Input>,
        volumePool: BtrfsPool? = nil, containerRuntime: CRIClient? = nil, metrics: AgentMetrics, clock: AgentClock = .system(), logger: Logger
    ) {
        self.containerRuntime = containerRuntime
        self.settings = settings
        self.metrics = metrics
        self.keyring = keyring
        keyringFile = KeyringFile(dataDirectory: settings.dataDirectory)
        self.clock = clock
        self.mailbox = mailbox
        self.transport = transport
        self.store = store
        self.logger = logger
        let addresses = peerAddresses
        volumes = volumePool.map { pool in
            VolumeReplication(me: settings.name, pool: pool, transport: transport, store: store, logger: logger) { addresses.address(of: $0) }
        }
        peerLogs = PeerLogs(me: settings.name) { message, node in
            if let address = addresses.address(of: node) { transport.send(.logs(message), to: address) }
        }
        launchPlan = PodLaunchPlan(
            node: settings.name.name, dataDirectory: settings.dataDirectory,
            executable: PodLaunchPlan.runningExecutable,
            searchPath: ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
            volumes: volumes, containerRuntime: containerRuntime?.endpoint,
            clusterDNS: settings.clusterDNS, clusterDomain: settings.clusterDomain, freezeAfter: settings.core.lease * 3 / 8
        )
    }

    var members: [Membership.Member] { published.withLock { $0.members } }
    var raftStatus: RaftStatus? { published.withLock { $0.raft } }
    var gossipCounters: Membership.Counters { published.withLock { $0.gossip } }

    var now: Instant { clock.now() }

    func run() async throws {
        defer {
            cancelPendingTick()
            proposals.closeAll(with: .failed(reason: "the agent is stopping"))
        }
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { await self.runController() }
                group.addTask { await self.runPods() }
                if let volumes { group.addTask { await self.runVolumes(volumes) } }
                if let containerRuntime {
                    group.addTask { await self.runRuntimeHealth(containerRuntime) }
                    group.addTask { await self.runImageCollection(containerRuntime) }
                }
                let proposalSweep = eventLoop.scheduleRepeatedTask(
                    initialDelay: Self.proposalSweepInterval, delay: Self.proposalSweepInterval
                ) { [proposals, peerLogs, clock] _ in
                    proposals.expire(now: clock.now(), reason: "no commit within \(Self.proposalTimeout)")
                    peerLogs.expireSilentReaders(now: clock.now())
                }
                defer { proposalSweep.cancel() }
                try await withTaskCancellationHandler {
                    try await runNodeThread()
                } onCancel: {
                    self.mailbox.finish()
                }
                mailbox.finish()
                peerLogs.close()
                controllerRequests.finish()
                podRequests.finish()
                // The controller and reporter tasks may be waiting on a proposal; nothing will
                // commit it now, so answer them before waiting for the tasks to end.
                proposals.closeAll(with: .failed(reason: "the agent is stopping"))
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.mailbox.post(.shutdown)
        }
    }

    /// Runs the node's loop on a thread of its own (`ordinal-node`), until it leaves or the
    /// mailbox is finished. The loop persists (an fsync per batch) and applies; on its own
    /// thread that never holds one of the concurrency pool's threads, which serve the API,
    /// DNS and the passes.
    private func runNodeThread() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let thread = Thread { [self] in
                do {
                    try nodeLoop()
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.name = "ordinal-node"
            thread.start()
        }
    }

    /// The node's loop: takes everything waiting in the mailbox, hands it to the node as one
    /// batch, and carries out the effects, until the agent leaves or the mailbox is finished.
    private func nodeLoop() throws {
        var node = try store.withLog { log in
            try AgentNode.compose(
                id: settings.name, address: settings.advertise, metadata: settings.metadata, storage: log,
                membership: settings.membership, raft: settings.raft, core: settings.core,
                seed: UInt64.random(in: .min ... .max)
            )
        }
        try step(&node, [.start(seeds: settings.join, now: now)])
        var shutdown = ShutdownProgress()
        while mailbox.wait() {
            let batch = mailbox.takeAll()
            guard !batch.isEmpty else { continue }
            let at = now
            var events: [AgentEvent] = []
            for input in batch {
                switch input {
                case .event(let event): events.append(event)
                case .peer(.logs(let message)): receive(message, now: at)
                case .peer(.keyring(let message)): receive(message)
                case .peer(.volume(let message)): volumes?.receive(message)
                case .peer(let message): if let event = message.event(now: at) { events.append(event) }
                case .tick: events.append(.tick(now: at))
                case .shutdown:
                    pods.close()
                    shutdown.begin(at: at, isLeader: node.raft.role == .leader, into: &events)
                }
            }
            if shutdown.shouldLeave(at: at, isLeader: node.raft.role == .leader) {
                logger.notice("leaving the cluster")
                events.append(.leave(now: at))
                try step(&node, events)
                Thread.sleep(forTimeInterval: Double(settings.leavePropagation.components.seconds)
                    + Double(settings.leavePropagation.components.attoseconds) / 1e18)
                return
            }
            try step(&node, events)
        }
    }

    /// Hands the node a batch through the one interpreter of effects (``AgentCore/AgentStep``),
    /// with this agent as its shell.
    private func step(_ node: inout AgentNode, _ events: [AgentEvent]) throws {
        var shell = Shell(driver: self)
        try AgentStep.run(&node, events, shell: &shell)
    }

    /// The node's status for the API, and its members for the transport, after a round.
    func publish(_ node: AgentNode, membersChanged: Bool) {
        let raft = node.raft
        let leaderAPI = raft.leader.flatMap { node.membership.member($0)?.metadata[MetadataKey.api] }
        var status = RaftStatus(
            node: settings.name.name, role: raft.role.rawValue, term: raft.term,
            leader: raft.leader?.name, leaderAPI: leaderAPI,
            commitIndex: raft.commitIndex, appliedIndex: store.appliedIndex, lastIndex: raft.lastIndex, snapshotIndex: raft.snapshotIndex,
            voters: raft.voters.map(\.name), learners: raft.learners.map(\.name)
        )
        status.clusterVersion = store.clusterVersion.rawValue
        if raft.role == .leader {
            var progress: [String: UInt64] = [:]
            for member in raft.voters + raft.learners where member != settings.name {
                progress[member.name] = raft.matchIndex(of: member)
            }
            status.progress = progress
        }
        let members = membersChanged || published.withLock({ $0.members.isEmpty }) ? node.membership.members : nil
        published.withLock { published in
            published.raft = status
            published.gossip = node.membership.counters
            if let members { published.members = members }
        }
        if let members {
            peerAddresses.update(members)
            // Gossip's members and Raft's configuration: the senders the replay guard always
            // remembers, and the addresses whose connections always find a slot.
            transport.remember(members: Set(members.map(\.id) + raft.voters + raft.learners), addresses: members.map(\.address))
        }
    }

    func log(_ change: Membership.MemberChange) {
        let member = change.member
        let metadata: Logger.Metadata = [
            "swim.peer": "\(member.id)",
            "swim.address": "\(member.address)",
            "swim.incarnation": "\(member.incarnation)",
            "swim.previous": "\(change.previous?.rawValue ?? "unknown")",
        ]
        switch member.status {
        case .alive: logger.info("member alive", metadata: metadata)
        case .suspect: logger.info("member suspect", metadata: metadata)
        case .dead: logger.notice("member dead", metadata: metadata)
        case .left: logger.notice("member left", metadata: metadata)
        }
    }

    func scheduleTick(at: Instant) {
        let delay = max(at - now, .zero)
        let mailbox = self.mailbox
        pendingTick.withLock { pending in
            if let pending, pending.at == at { return }
            pending?.task.cancel()
            let task = eventLoop.scheduleTask(in: .nanoseconds(delay.nanoseconds)) {
                _ = mailbox.post(.tick)
            }
            pending = (at, task)
        }
    }

    private func cancelPendingTick() {
        pendingTick.withLock { pending in
            pending?.task.cancel()
            pending = nil
        }
    }
}

/// A graceful stop: a leader first hands leadership over (bounded wait), then the agent
/// announces it leaves.
struct ShutdownProgress {
    private var requestedAt: Instant?
    /// Longest wait for a leadership transfer before leaving anyway.
    var transferBudget: Duration = .seconds(2)

    mutating func begin(at now: Instant, isLeader: Bool, into events: inout [AgentEvent]) {
        guard requestedAt == nil else { return }
        requestedAt = now
        if isLeader { events.append(.transferLeadership(now: now)) }
    }

    func shouldLeave(at now: Instant, isLeader: Bool) -> Bool {
        guard let requestedAt else { return false }
        return !isLeader || now - requestedAt >= transferBudget
    }
}
